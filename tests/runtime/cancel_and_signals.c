/* Cancellation of threads blocked in condition waits (their cleanup
 * handlers unlock the mutex), pthread_exit from deep inside a thread, and a
 * signal handler that takes a lock while the thread itself is locking. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t in_handler = PTHREAD_MUTEX_INITIALIZER;
static atomic_int waiting, handled;

static void unlock_mutex(void *arg) { pthread_mutex_unlock(arg); }

static void *wait_forever(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_cleanup_push(unlock_mutex, &m);
    atomic_fetch_add(&waiting, 1);
    for (;;)
        pthread_cond_wait(&c, &m);
    pthread_cleanup_pop(1);
    return NULL;
}

static __attribute__((noinline)) void exit_here(void) { pthread_exit((void *)42); }
static __attribute__((noinline)) void one_deeper(void) { exit_here(); }
static __attribute__((noinline)) void two_deeper(void) { one_deeper(); }

static void *exit_deep(void *arg)
{
    (void)arg;
    two_deeper();
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    /* Not async-signal-safe in general, but common; ccheck must cope. */
    pthread_mutex_lock(&in_handler);
    pthread_mutex_unlock(&in_handler);
    atomic_fetch_add(&handled, 1);
}

static void *lock_loop(void *arg)
{
    pthread_mutex_t *mine = arg;
    for (int i = 0; i < 200000; i++) {
        pthread_mutex_lock(mine);
        pthread_mutex_unlock(mine);
    }
    return NULL;
}

int main(void)
{
    int failures = 0;
    pthread_t w[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&w[i], NULL, wait_forever, NULL);
    while (atomic_load(&waiting) < 4)
        usleep(100);
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_cancel(w[i]);
        if (pthread_join(w[i], &result) != 0 || result != PTHREAD_CANCELED)
            failures++;
    }
    /* The cleanup handlers released the mutex. */
    if (pthread_mutex_trylock(&m) != 0)
        failures++;
    else
        pthread_mutex_unlock(&m);

    pthread_t e;
    void *result;
    pthread_create(&e, NULL, exit_deep, NULL);
    if (pthread_join(e, &result) != 0 || result != (void *)42)
        failures++;

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &sa, NULL);
    pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
    pthread_t looper;
    pthread_create(&looper, NULL, lock_loop, &mine);
    for (int i = 0; i < 200; i++)
        pthread_kill(looper, SIGUSR1);
    pthread_join(looper, NULL);
    if (atomic_load(&handled) == 0)
        failures++;

    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
