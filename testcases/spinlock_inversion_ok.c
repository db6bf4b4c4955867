/* Fixed twin of spinlock_inversion_bug.c: both threads take the spinlocks in
 * the same order, A then B, so no cycle can form. Same schedule as the buggy
 * twin.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_spinlock_t a;
static pthread_spinlock_t b;
static long counter;

/* Relaxed on purpose: the same schedule as spinlock_inversion_bug.c. */
static atomic_int first_done;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_spin_lock(&a);
    pthread_spin_lock(&b);
    counter++;
    pthread_spin_unlock(&b);
    pthread_spin_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *take_a_then_b_too(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_spin_lock(&a);
    pthread_spin_lock(&b);
    counter++;
    pthread_spin_unlock(&b);
    pthread_spin_unlock(&a);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_spin_init(&a, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&b, PTHREAD_PROCESS_PRIVATE);
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_a_then_b_too, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_spin_destroy(&b);
    pthread_spin_destroy(&a);
    printf("counter = %ld\n", counter);
    return 0;
}
