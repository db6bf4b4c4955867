/* Pitfall: lock-order inversion through read-write locks. Thread 1 write-
 * locks A then B; thread 2 write-locks B then read-locks A. A read lock
 * waits for a writer just as a mutex does, so if thread 1 holds A for
 * writing and thread 2 holds B, both wait forever. Only a cycle made purely
 * of read locks taken under read locks is harmless; this one is not. The two
 * critical sections never overlap here (relaxed atomic ordering the detector
 * cannot see), so this run does not hang.
 *
 * ccheck must report a lock-order-inversion whose stacks show the inner
 * acquisition of each thread (the lines marked below), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_rwlock_t a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t b = PTHREAD_RWLOCK_INITIALIZER;
static long counter;

/* Relaxed on purpose: it orders the threads without any happens-before edge
 * the detector could use to rule the cycle out. */
static atomic_int first_done;

static void *write_a_then_b(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&a);
    pthread_rwlock_wrlock(&b); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_rwlock_unlock(&b);
    pthread_rwlock_unlock(&a);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *write_b_then_read_a(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    pthread_rwlock_wrlock(&b);
    pthread_rwlock_rdlock(&a); /* ccheck-expect: lock-order-inversion */
    counter++;
    pthread_rwlock_unlock(&a);
    pthread_rwlock_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, write_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, write_b_then_read_a, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
