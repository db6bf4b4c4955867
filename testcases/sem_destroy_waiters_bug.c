/* Pitfall: a semaphore destroyed while a thread waits on it. Shutdown tells
 * the worker to stop and destroys the work semaphore at once, before the
 * worker has left its wait. glibc's sem_destroy does nothing, so the
 * worker goes on waiting on a semaphore that is gone (in a queue object
 * that shutdown would free next), and no post can be meant for it any
 * more. Here the worker waits with a deadline, so it notices the stop
 * flag when the wait times out and the run ends. The threads are ordered
 * with relaxed atomics the detector cannot see.
 *
 * ccheck must report a destroy-with-waiters at the destroy, with the
 * worker's wait, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static sem_t work;
static atomic_int stop, waiting;
static long done;

static void *worker(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 400 * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        atomic_store_explicit(&waiting, 1, memory_order_relaxed);
        if (sem_timedwait(&work, &deadline) == 0)
            done++;
    }
    return NULL;
}

int main(void)
{
    sem_init(&work, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&waiting, memory_order_relaxed))
        sched_yield();
    struct timespec pause = {0, 50 * 1000000L}; /* the worker is in its wait by now */
    nanosleep(&pause, NULL);
    atomic_store_explicit(&stop, 1, memory_order_relaxed);
    sem_destroy(&work); /* ccheck-expect: destroy-with-waiters */
    pthread_join(t, NULL);
    printf("%ld items done\n", done);
    return 0;
}
