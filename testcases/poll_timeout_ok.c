/* A timed wait used as a periodic poll that re-checks its predicate: every
 * timeout is expected, and a signal sent while the poller was busy (lost)
 * is caught by the next check. Correct. ccheck must report nothing. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int stop, polls;
static atomic_int nudged;

static void *poller(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&nudged, memory_order_relaxed))
        sched_yield(); /* busy while main's first signal is lost */
    pthread_mutex_lock(&lock);
    while (!stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 5 * 1000 * 1000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&wake, &lock, &deadline);
        if (++polls == 5)
            stop = 1; /* the poller decides to stop after a few polls */
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, poller, NULL);
    pthread_mutex_lock(&lock);
    pthread_cond_signal(&wake); /* nobody waits yet: lost, and harmless */
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&nudged, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    printf("%d polls\n", polls);
    return 0;
}
