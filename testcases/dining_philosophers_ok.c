/* Fixed twin of dining_philosophers_bug.c: resource ordering. Every
 * philosopher takes the lower-numbered of its two forks first, so the last
 * philosopher (between fork 4 and fork 0) takes fork 0 before fork 4 and the
 * forks are always taken in one global order: no cycle can form. Each
 * philosopher eats a few rounds, with real contention for the forks.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

enum { PHILOSOPHERS = 5, ROUNDS = 20 };

static pthread_mutex_t forks[PHILOSOPHERS];
static long meals[PHILOSOPHERS];

static void *philosopher(void *arg)
{
    int id = (int)(intptr_t)arg;
    int left = id;
    int right = (id + 1) % PHILOSOPHERS;
    int first = left < right ? left : right;
    int second = left < right ? right : left;

    for (int round = 0; round < ROUNDS; round++) {
        pthread_mutex_lock(&forks[first]);
        pthread_mutex_lock(&forks[second]);
        meals[id]++;
        pthread_mutex_unlock(&forks[second]);
        pthread_mutex_unlock(&forks[first]);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[PHILOSOPHERS];
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    for (int i = 0; i < PHILOSOPHERS; i++) {
        if (pthread_create(&t[i], NULL, philosopher, (void *)(intptr_t)i) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    long total = 0;
    for (int i = 0; i < PHILOSOPHERS; i++) {
        pthread_join(t[i], NULL);
        total += meals[i];
    }
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_destroy(&forks[i]);
    printf("meals = %ld\n", total);
    return 0;
}
