/* Fixed twin of running_at_exit_bug.c: main tells the poller to stop and
 * joins it before returning.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

/* Relaxed on purpose, as in the buggy version; pthread_join is the only
 * synchronisation the detector sees. */
static atomic_int started;
static atomic_int stop;
static atomic_long polls;

static void *poller(void *arg)
{
    (void)arg;
    atomic_store_explicit(&started, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&polls, 1, memory_order_relaxed);
        sched_yield();
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, poller, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&started, memory_order_relaxed))
        sched_yield();
    atomic_store_explicit(&stop, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    printf("main done\n");
    return 0;
}
