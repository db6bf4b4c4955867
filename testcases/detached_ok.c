/* A correct detached thread: the worker is created detached, does its work
 * and signals completion; main waits for that before it returns, so no work
 * is cut off and there is nothing to join.
 *
 * ccheck must report nothing: a detached thread that finished before exit is
 * neither unjoined nor running at exit.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_long result;
/* The worker's kernel thread id, stored as its last action. Relaxed on
 * purpose: invisible to the detector. */
static atomic_int worker_tid;

static void *worker(void *arg)
{
    (void)arg;
    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += i;
    atomic_store_explicit(&result, sum, memory_order_relaxed);
    atomic_store_explicit(&worker_tid, (int)syscall(SYS_gettid), memory_order_relaxed);
    return NULL;
}

/* Waits until the worker has finished for good: after storing its flag it
 * still has to return and exit. tgkill with signal 0 only asks whether the
 * kernel thread still exists. */
static void wait_until_exited(atomic_int *tid_slot)
{
    int tid;
    while ((tid = atomic_load_explicit(tid_slot, memory_order_relaxed)) == 0)
        sched_yield();
    while (syscall(SYS_tgkill, getpid(), tid, 0) == 0)
        sched_yield();
}

int main(void)
{
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_attr_destroy(&attr);
    wait_until_exited(&worker_tid);
    printf("result %ld\n", atomic_load_explicit(&result, memory_order_relaxed));
    return 0;
}
