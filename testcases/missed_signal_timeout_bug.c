/* Pitfall: a signal sent before anyone waits, and a wait with no predicate.
 * The producer announces the result (under the mutex) before the consumer
 * has started waiting; nobody waits, so the signal is lost. The consumer
 * then waits for it with a deadline and times out, never noticing that the
 * result was there all along.
 *
 * ccheck must report a missed-notification at the wait (and the signal).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t result_ready = PTHREAD_COND_INITIALIZER;
static int result;
static atomic_int produced;

static void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    result = 42;
    pthread_cond_signal(&result_ready); /* ccheck-expect: missed-notification */
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&produced, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    while (!atomic_load_explicit(&produced, memory_order_relaxed))
        sched_yield();
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 200 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int rc = pthread_cond_timedwait(&result_ready, &lock, &deadline); /* ccheck-expect: missed-notification */
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("%s\n", rc == ETIMEDOUT ? "gave up waiting" : "got the result");
    return 0;
}
