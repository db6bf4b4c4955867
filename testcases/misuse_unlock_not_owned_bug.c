/* Pitfall: a mutex used as a completion signal. main locks `done` before it
 * starts the worker, and the worker unlocks it when its job is finished, so
 * that main's next lock of `done` would wait for the job. But a mutex
 * belongs to the thread that locked it: an unlock from another thread is
 * undefined (an error-checking or robust mutex refuses it with EPERM; a
 * default one lets it through, and breaks whatever else relies on it).
 * The threads are ordered with relaxed atomics the detector cannot see.
 *
 * ccheck must report an unlock-not-owned at the worker's unlock, with the
 * place main locked the mutex, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t done = PTHREAD_MUTEX_INITIALIZER;
static atomic_int finished;
static long result;

static void *worker(void *arg)
{
    (void)arg;
    for (long i = 1; i <= 1000; i++)
        result += i;
    pthread_mutex_unlock(&done); /* ccheck-expect: unlock-not-owned */
    atomic_store_explicit(&finished, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_mutex_lock(&done); /* ccheck-expect: unlock-not-owned */
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&finished, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&done); /* "waits" for the worker's unlock */
    pthread_mutex_unlock(&done);
    pthread_join(t, NULL);
    printf("result = %ld\n", result);
    return 0;
}
