/* Pitfall: C11 threads that are never joined. The same bug as
 * unjoined_thread_bug.c with <threads.h>: main starts two workers with
 * thrd_create, waits (through relaxed atomics the detector cannot see) until
 * both have finished, and returns without thrd_join. glibc's thrd_create does
 * not go through the pthread_create symbol, so it needs its own interposer.
 *
 * ccheck must report an unjoined-thread for the workers, created at the line
 * marked below, and nothing else.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <threads.h>
#include <unistd.h>

#define N_WORKERS 2

static long results[N_WORKERS];
/* Each worker's kernel thread id, stored as its last action. Relaxed on
 * purpose: no happens-before edge that could stand for a join. */
static atomic_int worker_tid[N_WORKERS];

static int worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += i * (id + 1);
    results[id] = sum;
    atomic_store_explicit(&worker_tid[id], (int)syscall(SYS_gettid), memory_order_relaxed);
    return 0;
}

/* Waits until a worker has finished for good: after storing its flag it
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
    thrd_t threads[N_WORKERS];
    for (int i = 0; i < N_WORKERS; i++) {
        if (thrd_create(&threads[i], worker, (void *)(intptr_t)i) != thrd_success) { /* ccheck-expect: unjoined-thread */
            fprintf(stderr, "thrd_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < N_WORKERS; i++)
        wait_until_exited(&worker_tid[i]);
    printf("done\n");
    return 0; /* the workers are never joined */
}
