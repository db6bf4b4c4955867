/* Pitfall: a lock-order cycle over three locks and three threads, none of
 * whose pairs is an inversion on its own. Thread 1 takes A then B, thread 2
 * B then C, thread 3 C then A. Here the three critical sections run one after
 * the other (each thread waits for the previous one through a relaxed atomic
 * the detector cannot see), so this run does not hang; but a schedule where
 * each thread holds its first lock at once deadlocks all three. A detector
 * that only looks for two-lock inversions misses it.
 *
 * ccheck must report one lock-order-inversion whose stacks show the inner
 * acquisition of each thread (the lines marked below), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* Relaxed on purpose: it orders the threads without any happens-before edge
 * the detector could use to rule the cycle out. */
static atomic_int turn;

static void wait_for_turn(int mine)
{
    while (atomic_load_explicit(&turn, memory_order_relaxed) != mine)
        sched_yield();
}

static void pass_turn(void)
{
    atomic_fetch_add_explicit(&turn, 1, memory_order_relaxed);
}

static void *take_a_then_b(void *arg)
{
    (void)arg;
    wait_for_turn(0);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pass_turn();
    return NULL;
}

static void *take_b_then_c(void *arg)
{
    (void)arg;
    wait_for_turn(1);
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&c); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_mutex_unlock(&c);
    pthread_mutex_unlock(&b);
    pass_turn();
    return NULL;
}

static void *take_c_then_a(void *arg)
{
    (void)arg;
    wait_for_turn(2);
    pthread_mutex_lock(&c);
    pthread_mutex_lock(&a); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&c);
    pass_turn();
    return NULL;
}

int main(void)
{
    pthread_t t1, t2, t3;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_c, NULL) != 0 ||
        pthread_create(&t3, NULL, take_c_then_a, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(t3, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
