/* Pitfall: lock-order inversion with C11 <threads.h>. Thread 1 takes A then
 * B, thread 2 takes B then A, all through mtx_lock on mtx_t and threads made
 * with thrd_create. glibc does not route mtx_* through the pthread_mutex_*
 * symbols, so a detector that only intercepts pthreads sees no lock at all
 * (TSan misses it). The two critical sections never overlap here (thread 2
 * starts only after thread 1 is done, through a relaxed atomic the detector
 * cannot see), so this run does not hang; another schedule does.
 *
 * ccheck must report a lock-order-inversion whose stacks show the inner
 * mtx_lock of each thread (the lines marked below), and nothing else.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>

static mtx_t a;
static mtx_t b;
static long counter;

/* Relaxed on purpose: it orders the threads without any happens-before edge
 * the detector could use to rule the cycle out. */
static atomic_int first_done;

static int take_a_then_b(void *arg)
{
    (void)arg;
    mtx_lock(&a);
    mtx_lock(&b); /* ccheck-expect: lock-order-inversion */
    counter++;
    mtx_unlock(&b);
    mtx_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return 0;
}

static int take_b_then_a(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    mtx_lock(&b);
    mtx_lock(&a); /* ccheck-expect: lock-order-inversion */
    counter++;
    mtx_unlock(&a);
    mtx_unlock(&b);
    return 0;
}

int main(void)
{
    thrd_t t1, t2;
    if (mtx_init(&a, mtx_plain) != thrd_success || mtx_init(&b, mtx_plain) != thrd_success) {
        fprintf(stderr, "mtx_init failed\n");
        return 1;
    }
    if (thrd_create(&t1, take_a_then_b, NULL) != thrd_success ||
        thrd_create(&t2, take_b_then_a, NULL) != thrd_success) {
        fprintf(stderr, "thrd_create failed\n");
        return 1;
    }
    thrd_join(t1, NULL);
    thrd_join(t2, NULL);
    mtx_destroy(&b);
    mtx_destroy(&a);
    printf("counter = %ld\n", counter);
    return 0;
}
