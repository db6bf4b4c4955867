/* libbackground.so: a library the user does not own that starts a
 * detached housekeeping thread on first use and never stops it, so the
 * thread is still running when the process exits. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

long background_start(void);

static atomic_long ticks;

static void *housekeeping(void *arg)
{
    (void)arg;
    for (;;) {
        atomic_fetch_add_explicit(&ticks, 1, memory_order_relaxed);
        sched_yield();
    }
    return NULL;
}

long background_start(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &attr, housekeeping, NULL);
    pthread_attr_destroy(&attr);
    while (rc == 0 && atomic_load_explicit(&ticks, memory_order_relaxed) == 0)
        sched_yield();
    return rc;
}
