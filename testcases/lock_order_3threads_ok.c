/* Fixed twin of lock_order_3threads_bug.c: the three threads take the same
 * pairs of locks, but always in one global order A < B < C (thread 3 takes A
 * then C instead of C then A), so the lock graph A->B, B->C, A->C has no
 * cycle. Same schedule as the buggy twin.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* Relaxed on purpose: the same schedule as lock_order_3threads_bug.c. */
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
    pthread_mutex_lock(&b);
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
    pthread_mutex_lock(&c);
    counter++;
    pthread_mutex_unlock(&c);
    pthread_mutex_unlock(&b);
    pass_turn();
    return NULL;
}

static void *take_a_then_c(void *arg)
{
    (void)arg;
    wait_for_turn(2);
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&c);
    counter++;
    pthread_mutex_unlock(&c);
    pthread_mutex_unlock(&a);
    pass_turn();
    return NULL;
}

int main(void)
{
    pthread_t t1, t2, t3;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_c, NULL) != 0 ||
        pthread_create(&t3, NULL, take_a_then_c, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(t3, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
