/* The fixed twin of sem_lock_inversion_bug.c: both threads take the
 * `inventory` semaphore before `orders`. ccheck must report nothing. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t inventory, orders;
static int stock = 10, pending;

static void *restock(void *arg)
{
    (void)arg;
    sem_wait(&inventory);
    sem_wait(&orders);
    stock += pending;
    pending = 0;
    sem_post(&orders);
    sem_post(&inventory);
    return NULL;
}

static void *order(void *arg)
{
    (void)arg;
    sem_wait(&inventory);
    sem_wait(&orders);
    stock--;
    pending++;
    sem_post(&orders);
    sem_post(&inventory);
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
    sem_destroy(&orders);
    sem_destroy(&inventory);
    printf("stock %d, pending %d\n", stock, pending);
    return 0;
}
