/* A condition variable used with one mutex, and later, when nobody waits
 * on it any more, with another: POSIX binds a condition variable to a
 * mutex only while threads wait on it. A phase-one waiter uses
 * `setup_lock`; once it is done (joined), a phase-two waiter uses
 * `run_lock`, and each signaller holds the mutex of its phase. And a
 * condition variable whose waiter was cancelled while it waited (its
 * cleanup handler unlocks the mutex) is destroyed after the join: nobody
 * waits on it any more.
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_cond_t phase_done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static int setup_ready, run_ready;

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_wakeup;
static atomic_int idle_waiting;

struct phase {
    pthread_mutex_t *lock;
    int *ready;
};

static void *waiter(void *arg)
{
    struct phase *p = arg;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(p->lock);
    while (!*p->ready)
        if (pthread_cond_timedwait(&phase_done, p->lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(p->lock);
    return NULL;
}

static void run_phase(pthread_mutex_t *lock, int *ready)
{
    struct phase p = {lock, ready};
    pthread_t t;
    pthread_create(&t, NULL, waiter, &p);
    pthread_mutex_lock(lock);
    *ready = 1;
    pthread_cond_signal(&phase_done);
    pthread_mutex_unlock(lock);
    pthread_join(t, NULL);
}

static void unlock_idle(void *arg) { pthread_mutex_unlock(arg); }

static void *idle_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&idle_lock);
    pthread_cleanup_push(unlock_idle, &idle_lock);
    atomic_store(&idle_waiting, 1);
    for (;;)
        pthread_cond_wait(&idle_wakeup, &idle_lock);
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    run_phase(&setup_lock, &setup_ready);
    run_phase(&run_lock, &run_ready);

    pthread_t t;
    pthread_cond_init(&idle_wakeup, NULL);
    pthread_create(&t, NULL, idle_worker, NULL);
    while (!atomic_load(&idle_waiting))
        sched_yield();
    pthread_mutex_lock(&idle_lock); /* the worker waits: its wait released it */
    pthread_mutex_unlock(&idle_lock);
    pthread_cancel(t);
    pthread_join(t, NULL);
    pthread_cond_destroy(&idle_wakeup);
    pthread_mutex_destroy(&idle_lock);
    puts("done");
    return 0;
}
