/* Not a bug: two threads take A and B in opposite orders, but each takes
 * its second lock only with pthread_mutex_timedlock and a short deadline and,
 * when that times out, releases the lock it holds, yields and starts over.
 * A timed wait ends by itself, so the cycle A->B->A cannot hang. The first
 * round is forced to collide (each thread holds its first lock before either
 * asks for its second, through a relaxed atomic the detector cannot see), so
 * the time-out and back-off path really runs; the other rounds contend
 * freely.
 *
 * ccheck must report nothing: no lock-order inversion, no deadlock.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROUNDS = 200 };
#define DEADLINE_NS 2000000L /* 2 ms */

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static atomic_long backoffs;

/* Relaxed on purpose: it forces the first collision without any
 * happens-before edge the detector could see. */
static atomic_int holding_first;

static struct timespec deadline(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += DEADLINE_NS;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Takes `first`, then waits a short while for `second`; on ETIMEDOUT
 * releases `first`, yields `patience` times and retries. The two threads
 * yield a different number of times so that they do not keep colliding in
 * step. */
static void lock_both(pthread_mutex_t *first, pthread_mutex_t *second, int patience, int collide)
{
    for (;;) {
        pthread_mutex_lock(first);
        if (collide) {
            atomic_fetch_add_explicit(&holding_first, 1, memory_order_relaxed);
            while (atomic_load_explicit(&holding_first, memory_order_relaxed) < 2)
                sched_yield();
            collide = 0;
        }
        struct timespec until = deadline();
        int rc = pthread_mutex_timedlock(second, &until);
        if (rc == 0)
            return;
        if (rc != ETIMEDOUT) {
            fprintf(stderr, "pthread_mutex_timedlock: %d\n", rc);
            abort();
        }
        pthread_mutex_unlock(first); /* back off: hold nothing while waiting */
        atomic_fetch_add_explicit(&backoffs, 1, memory_order_relaxed);
        for (int i = 0; i < patience; i++)
            sched_yield();
    }
}

static void *take_a_then_wait_b(void *arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        lock_both(&a, &b, 1, round == 0);
        counter++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    return NULL;
}

static void *take_b_then_wait_a(void *arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        lock_both(&b, &a, 3, round == 0);
        counter++;
        pthread_mutex_unlock(&a);
        pthread_mutex_unlock(&b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, take_a_then_wait_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_wait_a, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("counter = %ld, back-offs = %ld\n", counter,
           atomic_load_explicit(&backoffs, memory_order_relaxed));
    return 0;
}
