/* Fixed twin of lock_order_helper_bug.c: transfer() takes both account locks
 * itself, always the one at the lower address first, whatever the direction
 * of the transfer. Every thread then takes them in one global order.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

struct account {
    pthread_mutex_t lock;
    long balance;
};

static struct account alice = {PTHREAD_MUTEX_INITIALIZER, 100};
static struct account bob = {PTHREAD_MUTEX_INITIALIZER, 100};

/* Relaxed on purpose: the same schedule as lock_order_helper_bug.c. */
static atomic_int first_done;

static void lock_both(struct account *x, struct account *y)
{
    /* Compare as integers: < on pointers to different objects is undefined. */
    if ((uintptr_t)x > (uintptr_t)y) {
        struct account *t = x;
        x = y;
        y = t;
    }
    pthread_mutex_lock(&x->lock);
    pthread_mutex_lock(&y->lock);
}

static void unlock_both(struct account *x, struct account *y)
{
    pthread_mutex_unlock(&x->lock);
    pthread_mutex_unlock(&y->lock);
}

static int transfer(struct account *from, struct account *to, long amount)
{
    int done = 0;
    lock_both(from, to);
    if (from->balance >= amount) {
        from->balance -= amount;
        to->balance += amount;
        done = 1;
    }
    unlock_both(from, to);
    return done;
}

static void *alice_pays_bob(void *arg)
{
    (void)arg;
    transfer(&alice, &bob, 30);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *bob_pays_alice(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    transfer(&bob, &alice, 10);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, alice_pays_bob, NULL) != 0 ||
        pthread_create(&t2, NULL, bob_pays_alice, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("alice %ld, bob %ld\n", alice.balance, bob.balance);
    return 0;
}
