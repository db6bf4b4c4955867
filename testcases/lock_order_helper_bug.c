/* Pitfall: a lock-order inversion hidden behind helper functions. transfer()
 * locks the source account and deposit() then locks the destination, so the
 * order depends on the arguments: transfer(&alice, &bob) takes alice then
 * bob, transfer(&bob, &alice) takes bob then alice. No single function shows
 * two locks in the wrong order. The two transfers are sequenced through a
 * relaxed atomic flag (invisible to the detector) so this run never hangs.
 *
 * ccheck must report a lock-order-inversion with the inner acquisition in
 * deposit() (the line marked below) in its stacks, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

struct account {
    pthread_mutex_t lock;
    long balance;
};

static struct account alice = {PTHREAD_MUTEX_INITIALIZER, 100};
static struct account bob = {PTHREAD_MUTEX_INITIALIZER, 100};

/* Relaxed on purpose: orders the transfers without a happens-before edge. */
static atomic_int first_done;

static void deposit(struct account *to, long amount)
{
    pthread_mutex_lock(&to->lock); /* ccheck-expect: lock-order-inversion */
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
}

static int transfer(struct account *from, struct account *to, long amount)
{
    int done = 0;
    pthread_mutex_lock(&from->lock);
    if (from->balance >= amount) {
        from->balance -= amount;
        deposit(to, amount);
        done = 1;
    }
    pthread_mutex_unlock(&from->lock);
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
