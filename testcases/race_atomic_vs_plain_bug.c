/* A progress counter that a worker bumps atomically while the main thread
 * reads it with a plain load. Atomic operations never race with each
 * other, but a plain access racing with an atomic one is a data race: the
 * plain read may see a torn or stale value, and the compiler may cache it.
 * The read comes after the bumps in time every run (a relaxed flag that
 * orders nothing says so), and must be reported. The twin reads the
 * counter atomically as well.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static long progress;
static atomic_int worker_done;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        __atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED); /* ccheck-expect: data-race */
    atomic_store_explicit(&worker_done, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&worker_done, memory_order_relaxed))
        ;
    long seen = progress; /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    printf("progress %ld\n", seen);
    return 0;
}
