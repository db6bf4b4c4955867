/* Pitfall: a thread still running when the process exits. A background
 * poller loops until told to stop, but main returns without telling it or
 * joining it: exit() cuts it off wherever it is, in the middle of its work.
 * The poller spins on a relaxed atomic flag that nobody sets, so the run
 * never depends on timing.
 *
 * ccheck must report a thread-running-at-exit for the poller, created at the
 * line marked below, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

/* Relaxed on purpose: invisible to the detector. */
static atomic_int started;
static atomic_int stop; /* never set in this buggy version */
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
    if (pthread_create(&t, NULL, poller, NULL) != 0) { /* ccheck-expect: thread-running-at-exit */
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&started, memory_order_relaxed))
        sched_yield();
    printf("main done\n");
    return 0; /* the poller is neither stopped nor joined */
}
