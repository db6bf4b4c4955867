/* The fixed twin of missed_signal_timeout_bug.c: the consumer checks the
 * predicate under the mutex before waiting, so a signal sent before it
 * waits is not needed: it sees the result and does not wait at all.
 * ccheck must report nothing. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t result_ready = PTHREAD_COND_INITIALIZER;
static int result, have_result;
static atomic_int produced;

static void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    result = 42;
    have_result = 1;
    pthread_cond_signal(&result_ready);
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
    deadline.tv_sec += 5;
    pthread_mutex_lock(&lock);
    int rc = 0;
    while (!have_result && rc == 0)
        rc = pthread_cond_timedwait(&result_ready, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("result %d\n", result);
    return have_result ? 0 : 1;
}
