/* The fixed twin of race_semaphore2_bug.c: a semaphore of one permit lets
 * one thread in at a time, and each post hands the counter to the next
 * waiter (a post happens before the wait it satisfies).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { THREADS = 4, ROUNDS = 2000 };

static sem_t slots;
static long counter;

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        sem_wait(&slots);
        counter += 1;
        sem_post(&slots);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    sem_init(&slots, 0, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, count, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    sem_destroy(&slots);
    printf("counter %ld of %d\n", counter, THREADS * ROUNDS);
    return 0;
}
