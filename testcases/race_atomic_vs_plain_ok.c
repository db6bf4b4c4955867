/* The twin of race_atomic_vs_plain_bug.c: the main thread reads the
 * progress counter with an atomic load, so both sides are atomic and
 * nothing races. Also a failed compare-exchange, which only reads, next to
 * a plain read in another thread: silent as well. ccheck must report
 * nothing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

static long progress;
static int owner; /* claimed by compare-exchange; nobody ever claims it */
static atomic_int worker_done;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        __atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
    int expected = 1;
    __atomic_compare_exchange_n(&owner, &expected, 2, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    atomic_store_explicit(&worker_done, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&worker_done, memory_order_relaxed))
        ;
    long seen = __atomic_load_n(&progress, __ATOMIC_RELAXED);
    int who = owner;
    pthread_join(t, NULL);
    printf("progress %ld, owner %d\n", seen, who);
    return 0;
}
