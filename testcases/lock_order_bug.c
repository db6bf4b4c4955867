/* Pitfall: lock-order inversion. Thread 1 takes A then B, thread 2 takes B
 * then A. Here the two critical sections never overlap (thread 2 starts only
 * after thread 1 has released both locks, through a relaxed atomic flag the
 * detector cannot see), so this run does not hang; but another schedule lets
 * each thread hold its first lock and wait forever for the second.
 *
 * ccheck must report a lock-order-inversion whose stacks show the inner
 * acquisition of each thread (the lines marked below), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* Relaxed on purpose: it orders the threads without any happens-before edge
 * the detector could use to rule the cycle out. */
static atomic_int first_done;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
