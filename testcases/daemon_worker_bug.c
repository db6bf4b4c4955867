/* Pitfall: a detached daemon thread cut off at exit. A background flusher
 * is started detached ("it runs for the life of the program") and copies
 * buffered records out in a loop. main returns when its own work is done;
 * exit() then ends the flusher wherever it is, in the middle of a batch,
 * and whatever was still buffered is lost. Detaching only means nobody
 * will join the thread: it does not make its work finish. The flusher
 * never blocks (it spins on relaxed atomics), so it is running at exit.
 *
 * ccheck must report a thread-running-at-exit for the flusher, created at
 * the line marked below, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_long buffered, flushed;

static void *flusher(void *arg)
{
    (void)arg;
    for (;;) {
        long n = atomic_exchange_explicit(&buffered, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&flushed, n, memory_order_relaxed);
        sched_yield();
    }
    return NULL;
}

static void start_daemon(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    if (pthread_create(&t, &attr, flusher, NULL) != 0) /* ccheck-expect: thread-running-at-exit */
        fprintf(stderr, "pthread_create failed\n");
    pthread_attr_destroy(&attr);
}

int main(void)
{
    start_daemon();
    for (long i = 0; i < 1000; i++)
        atomic_fetch_add_explicit(&buffered, 1, memory_order_relaxed);
    while (atomic_load_explicit(&flushed, memory_order_relaxed) == 0)
        sched_yield();
    printf("main done\n");
    return 0; /* the flusher is cut off, with records still buffered */
}
