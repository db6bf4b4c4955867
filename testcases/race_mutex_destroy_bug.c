/* Pitfall: a mutex destroyed while another thread may still be using it.
 * The worker says through a relaxed flag (which orders nothing) that it is
 * done with the lock, and main destroys it: nothing orders the worker's
 * lock and unlock before the destroy.
 *
 * ccheck must report the destroy racing with the worker's use of the mutex
 * (TSan: race_on_mutex2.c).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t lock;
static long total;
static atomic_int finished;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock); /* ccheck-expect: data-race */
    total += 1;
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&finished, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_mutex_init(&lock, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&finished, memory_order_relaxed))
        sched_yield();
    pthread_mutex_destroy(&lock); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    printf("done\n");
    return 0;
}
