/* Pitfall: a late worker uses a mutex after teardown destroyed it. main
 * destroys the stats mutex once it thinks every worker is done, but one
 * worker still has a last update to make. glibc marks a destroyed mutex,
 * so the lock fails with EINVAL (and the update runs unprotected if, as
 * here, nobody checks); elsewhere the memory may already be reused. The
 * threads are ordered with relaxed atomics the detector cannot see.
 *
 * ccheck must report a use-after-destroy at the worker's lock, with the
 * place main destroyed the mutex, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t stats_lock;
static long updates;
static atomic_int first_done, destroyed;

static void *late_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stats_lock);
    updates++;
    pthread_mutex_unlock(&stats_lock);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&destroyed, memory_order_relaxed))
        sched_yield();
    /* One last update, after teardown. */
    int rc = pthread_mutex_lock(&stats_lock); /* ccheck-expect: use-after-destroy */
    updates++;
    if (rc == 0)
        pthread_mutex_unlock(&stats_lock);
    return NULL;
}

int main(void)
{
    pthread_mutex_init(&stats_lock, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, late_worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_mutex_destroy(&stats_lock); /* ccheck-expect: use-after-destroy */
    atomic_store_explicit(&destroyed, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    printf("%ld updates\n", updates);
    return 0;
}
