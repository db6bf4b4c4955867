/* Pitfall: joinable threads that are never joined. main starts two workers,
 * waits (through relaxed atomics the detector cannot see) until both have
 * finished, and returns without calling pthread_join: each thread's stack and
 * exit status leak, and nothing checks that the work was done.
 *
 * ccheck must report an unjoined-thread for the workers, created at the line
 * marked below, and nothing else.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N_WORKERS 2

static long results[N_WORKERS];
/* Each worker's kernel thread id, stored as its last action. Relaxed on
 * purpose: no happens-before edge that could stand for a join. */
static atomic_int worker_tid[N_WORKERS];

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += i * (id + 1);
    results[id] = sum;
    atomic_store_explicit(&worker_tid[id], (int)syscall(SYS_gettid), memory_order_relaxed);
    return NULL;
}

/* Waits until a worker has finished for good. Its flag alone is not enough:
 * after storing it the thread still has to return and exit, and if main got
 * to exit first the thread would still be running. tgkill with signal 0 only
 * asks whether the kernel thread still exists. */
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
    pthread_t threads[N_WORKERS];
    for (int i = 0; i < N_WORKERS; i++) {
        if (pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) != 0) { /* ccheck-expect: unjoined-thread */
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < N_WORKERS; i++)
        wait_until_exited(&worker_tid[i]);
    printf("done\n");
    return 0; /* the workers are never joined */
}
