/* The fixed twin of race_mutex_init_bug.c: main initialises the mutex
 * before it creates the thread, so the init happens before every lock.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t lock;
static long total;
static atomic_int started;

static void *starter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    total += 1;
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&started, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_mutex_init(&lock, NULL);
    pthread_t t;
    pthread_create(&t, NULL, starter, NULL);
    while (!atomic_load_explicit(&started, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&lock);
    total += 1;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    pthread_mutex_destroy(&lock);
    printf("total %ld\n", total);
    return 0;
}
