/* Pitfall: lock-order inversion with spinlocks. Thread 1 takes spinlock A
 * then B, thread 2 takes B then A. A spinlock deadlocks exactly like a mutex,
 * only it burns CPU while doing so. The two critical sections never overlap
 * here (thread 2 starts only after thread 1 is done, through a relaxed atomic
 * the detector cannot see), so this run does not hang; another schedule
 * spins forever.
 *
 * ccheck must report a lock-order-inversion whose stacks show the inner
 * acquisition of each thread (the lines marked below), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_spinlock_t a;
static pthread_spinlock_t b;
static long counter;

/* Relaxed on purpose: it orders the threads without any happens-before edge
 * the detector could use to rule the cycle out. */
static atomic_int first_done;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_spin_lock(&a);
    pthread_spin_lock(&b); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_spin_unlock(&b);
    pthread_spin_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_spin_lock(&b);
    pthread_spin_lock(&a); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_spin_unlock(&a);
    pthread_spin_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_spin_init(&a, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&b, PTHREAD_PROCESS_PRIVATE);
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) {
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
