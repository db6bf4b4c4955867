/* Pitfall: a semaphore of 2 "protecting" a counter. A counting semaphore
 * lets two threads in at once, so it is no lock: here both workers are
 * inside together and increment the counter at the same time.
 *
 * ccheck must report the data race at the increment.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

enum { THREADS = 2 };

static sem_t slots;
static long counter;
/* Sequencing only, relaxed, so they order nothing: how many are inside,
 * and whose turn it is to increment (one after the other, so the run is
 * the same every time). */
static atomic_int inside, turn;

static void wait_until(atomic_int *value, int n)
{
    while (atomic_load_explicit(value, memory_order_relaxed) < n)
        sched_yield();
}

static void *count(void *arg)
{
    int me = (int)(long)arg;
    sem_wait(&slots);
    atomic_fetch_add_explicit(&inside, 1, memory_order_relaxed);
    wait_until(&inside, THREADS); /* both are let in: the semaphore has two permits */
    wait_until(&turn, me);
    counter += 1; /* ccheck-expect: data-race */
    atomic_fetch_add_explicit(&turn, 1, memory_order_relaxed);
    sem_post(&slots);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    sem_init(&slots, 0, 2);
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, count, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    sem_destroy(&slots);
    printf("counter %ld of %d\n", counter, THREADS);
    return 0;
}
