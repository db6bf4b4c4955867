/* Pitfall: binary semaphores used as locks, taken in opposite orders. Each
 * semaphore starts with one permit and every thread that waits on it posts
 * it again, so they are locks in all but name, and the two threads form a
 * lock-order cycle (sequenced here by a relaxed atomic, so this run does
 * not hang).
 *
 * ccheck must report a lock-order-inversion on the inner waits.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

static sem_t inventory, orders;
static atomic_int first_done;
static int stock = 10, pending;

static void *restock(void *arg)
{
    (void)arg;
    sem_wait(&inventory);
    sem_wait(&orders); /* ccheck-expect: lock-order-inversion */
    stock += pending;
    pending = 0;
    sem_post(&orders);
    sem_post(&inventory);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *order(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    sem_wait(&orders);
    sem_wait(&inventory); /* ccheck-expect: lock-order-inversion */
    stock--;
    pending++;
    sem_post(&inventory);
    sem_post(&orders);
    return NULL;
}

int main(void)
{
    sem_init(&inventory, 0, 1);
    sem_init(&orders, 0, 1);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, restock, NULL);
    pthread_create(&t2, NULL, order, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("stock %d, pending %d\n", stock, pending);
    return 0;
}
