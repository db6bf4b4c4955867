/* Pitfall: an error path that unlocks and then jumps to the common exit,
 * which unlocks again. The second unlock releases a mutex nobody holds: on
 * a default glibc mutex it corrupts the mutex's user count (a later destroy
 * fails with EBUSY), and if another thread had taken the lock in between,
 * it would release that thread's lock under its feet.
 *
 * ccheck must report a double-unlock at the common exit's unlock, and
 * nothing else.
 */
#include <pthread.h>
#include <stdio.h>

struct account {
    pthread_mutex_t lock;
    long balance;
};

static struct account savings = {PTHREAD_MUTEX_INITIALIZER, 100};

static int withdraw(struct account *acc, long amount)
{
    int rc = 0;
    pthread_mutex_lock(&acc->lock);
    if (acc->balance < amount) {
        rc = -1;
        pthread_mutex_unlock(&acc->lock);
        goto out; /* the exit below unlocks again */
    }
    acc->balance -= amount;
out:
    pthread_mutex_unlock(&acc->lock); /* ccheck-expect: double-unlock */
    return rc;
}

static void *customer(void *arg)
{
    long amount = *(long *)arg;
    if (withdraw(&savings, amount) != 0)
        printf("withdrawal of %ld refused\n", amount);
    return NULL;
}

int main(void)
{
    long small = 30, large = 500;
    pthread_t t;
    customer(&small);
    if (pthread_create(&t, NULL, customer, &large) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    printf("balance = %ld\n", savings.balance);
    return 0;
}
