/* Pitfall: a mutex initialised by one thread while another may already be
 * locking it. The mutex cannot order its own initialisation: here the only
 * thing between the init and main's lock is a relaxed flag, which orders
 * nothing, so main's lock may run on an uninitialised (or half-written)
 * mutex.
 *
 * ccheck must report the init racing with the lock (TSan: race_on_mutex.c).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t lock;
static long total;
static atomic_int initialised;

static void *starter(void *arg)
{
    (void)arg;
    pthread_mutex_init(&lock, NULL); /* ccheck-expect: data-race */
    pthread_mutex_lock(&lock);
    total += 1;
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&initialised, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, starter, NULL);
    while (!atomic_load_explicit(&initialised, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&lock); /* ccheck-expect: data-race */
    total += 1;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    pthread_mutex_destroy(&lock);
    printf("total %ld\n", total);
    return 0;
}
