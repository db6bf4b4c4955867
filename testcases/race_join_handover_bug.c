/* Pitfall: a result read before the join. Main reads the worker's result
 * when a relaxed "done" flag says so and joins afterwards: the flag orders
 * nothing, so the read races with the worker's write.
 *
 * ccheck must report the race on the result.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static long result;
static atomic_int done;

static void *work(void *arg)
{
    (void)arg;
    result = 42; /* ccheck-expect: data-race */
    atomic_store_explicit(&done, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
    while (!atomic_load_explicit(&done, memory_order_relaxed))
        sched_yield();
    printf("result %ld\n", result); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    return 0;
}
