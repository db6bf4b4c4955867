/* Not a bug: a lock-order "cycle" made only of read locks. Thread 1 read-
 * locks A then B, thread 2 read-locks B then A. Read locks are shared: a
 * reader never waits for another reader, so even when both threads hold
 * their first lock at once each gets its second one. (With writers in the
 * picture it would be a real inversion: see rwlock_inversion_bug.c.) A
 * detector that treats read locks like mutexes reports a false inversion.
 * Same schedule as rwlock_inversion_bug.c.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_rwlock_t a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t b = PTHREAD_RWLOCK_INITIALIZER;
/* Both readers may count at once, hence an atomic counter. */
static atomic_long reads;

/* Relaxed on purpose: the same schedule as rwlock_inversion_bug.c. */
static atomic_int first_done;

static void *read_a_then_b(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&a);
    pthread_rwlock_rdlock(&b);
    atomic_fetch_add_explicit(&reads, 1, memory_order_relaxed);
    pthread_rwlock_unlock(&b);
    pthread_rwlock_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *read_b_then_a(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_rwlock_rdlock(&b);
    pthread_rwlock_rdlock(&a);
    atomic_fetch_add_explicit(&reads, 1, memory_order_relaxed);
    pthread_rwlock_unlock(&a);
    pthread_rwlock_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, read_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, read_b_then_a, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("reads = %ld\n", atomic_load_explicit(&reads, memory_order_relaxed));
    return 0;
}
