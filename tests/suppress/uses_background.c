/* Uses libbackground.so, whose housekeeping thread is still running at
 * exit, and leaks a thread of its own (finished, never joined). With
 * --suppress-threads-from libbackground only the program's own leak is
 * reported. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

long background_start(void);

static atomic_int finished;

static void *task(void *arg)
{
    atomic_store_explicit(&finished, 1, memory_order_relaxed);
    return arg;
}

int main(void)
{
    if (background_start() != 0)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, task, NULL) != 0)
        return 1;
    while (!atomic_load_explicit(&finished, memory_order_relaxed))
        sched_yield();
    printf("done\n"); /* t is never joined */
    return 0;
}
