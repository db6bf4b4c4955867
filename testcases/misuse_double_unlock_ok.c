/* Fixed twin of misuse_double_unlock_bug.c: the error path jumps to the
 * common exit without unlocking, so the mutex is unlocked exactly once on
 * every path. The mutex can then be destroyed cleanly.
 *
 * ccheck must report nothing.
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
        goto out;
    }
    acc->balance -= amount;
out:
    pthread_mutex_unlock(&acc->lock);
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
    if (pthread_mutex_destroy(&savings.lock) != 0)
        printf("destroy failed\n");
    return 0;
}
