/* Joins that wait on a thread which is not live for ccheck: it has
 * finished its start routine but is still running its thread-specific
 * data destructors, or it has been created but not started yet. Either
 * way the join ends by itself, so the watchdog (here at its most eager)
 * must never call the joiner hung, however long the wait.
 *  - A destructor that takes 300 ms, far above the watchdog's threshold.
 *  - Threads created and joined under a storm of signals (SIGALRM every
 *    20 µs), which stretches both moments unpredictably.
 *
 * ccheck-options: watchdog_ms=20 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static pthread_key_t slow_key;
static atomic_int destructors_run, signals;

static void slow_destructor(void *value)
{
    (void)value;
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    atomic_fetch_add(&destructors_run, 1);
}

static void *exit_slowly(void *arg)
{
    pthread_setspecific(slow_key, arg);
    return arg;
}

static void on_alarm(int sig)
{
    (void)sig;
    atomic_fetch_add_explicit(&signals, 1, memory_order_relaxed);
}

static void *nothing(void *arg) { return arg; }

static int create_and_join(void *(*routine)(void *), const char *what)
{
    pthread_t t;
    void *result = NULL;
    if (pthread_create(&t, NULL, routine, &signals) != 0 || pthread_join(t, &result) != 0 ||
        result != &signals) {
        fprintf(stderr, "join_of_exiting_thread: %s: create/join failed\n", what);
        return 1;
    }
    return 0;
}

int main(void)
{
    if (pthread_key_create(&slow_key, slow_destructor) != 0 ||
        create_and_join(exit_slowly, "slow destructor") != 0)
        return 1;
    if (atomic_load(&destructors_run) != 1) {
        fprintf(stderr, "join_of_exiting_thread: the destructor did not run\n");
        return 1;
    }

    struct sigaction act = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    struct itimerval every = {.it_interval = {0, 20}, .it_value = {0, 20}};
    if (sigaction(SIGALRM, &act, NULL) != 0 || setitimer(ITIMER_REAL, &every, NULL) != 0) {
        perror("join_of_exiting_thread: timer");
        return 1;
    }
    for (int i = 0; i < 2000; i++)
        if (create_and_join(nothing, "signal storm") != 0)
            return 1;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    if (atomic_load(&signals) == 0) {
        fprintf(stderr, "join_of_exiting_thread: no signal arrived\n");
        return 1;
    }
    return 0;
}
