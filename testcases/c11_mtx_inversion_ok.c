/* Fixed twin of c11_mtx_inversion_bug.c: both C11 threads take the mtx_t
 * locks in the same order, A then B, so no cycle can form. Same schedule as
 * the buggy twin.
 *
 * ccheck must report nothing.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>

static mtx_t a;
static mtx_t b;
static long counter;

/* Relaxed on purpose: the same schedule as c11_mtx_inversion_bug.c. */
static atomic_int first_done;

static int take_a_then_b(void *arg)
{
    (void)arg;
    mtx_lock(&a);
    mtx_lock(&b);
    counter++;
    mtx_unlock(&b);
    mtx_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return 0;
}

static int take_a_then_b_too(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    mtx_lock(&a);
    mtx_lock(&b);
    counter++;
    mtx_unlock(&b);
    mtx_unlock(&a);
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
        thrd_create(&t2, take_a_then_b_too, NULL) != thrd_success) {
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
