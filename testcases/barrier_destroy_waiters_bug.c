/* Pitfall: a barrier destroyed while a thread waits at it. Two workers meet
 * at a barrier after each phase; when the second worker fails, main's error
 * path destroys the barrier although the first worker is parked at it,
 * waiting for a partner that will never come. POSIX leaves this undefined;
 * glibc's pthread_barrier_destroy waits for the round to complete, which
 * here is never: the program hangs, and the watchdog ends it. The threads
 * are ordered with relaxed atomics the detector cannot see.
 *
 * ccheck must report a destroy-with-waiters at the destroy, with the
 * worker's wait, and the hang the destroy then caused, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_barrier_t phase_done;
static atomic_int arrived, failed;

static void *good_worker(void *arg)
{
    (void)arg;
    atomic_store_explicit(&arrived, 1, memory_order_relaxed);
    pthread_barrier_wait(&phase_done);
    return NULL;
}

static void *failing_worker(void *arg)
{
    (void)arg;
    atomic_store_explicit(&failed, 1, memory_order_relaxed); /* gives up before the barrier */
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&phase_done, NULL, 2);
    pthread_t good, bad;
    if (pthread_create(&good, NULL, good_worker, NULL) != 0 ||
        pthread_create(&bad, NULL, failing_worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&arrived, memory_order_relaxed) ||
           !atomic_load_explicit(&failed, memory_order_relaxed))
        sched_yield();
    struct timespec pause = {0, 50 * 1000000L}; /* the good worker is at the barrier by now */
    nanosleep(&pause, NULL);
    pthread_join(bad, NULL);
    printf("a worker failed, cleaning up\n");
    pthread_barrier_destroy(&phase_done); /* ccheck-expect: destroy-with-waiters, hang */
    pthread_join(good, NULL);
    return 1;
}
