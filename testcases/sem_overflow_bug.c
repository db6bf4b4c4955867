/* Pitfall: a semaphore posted past SEM_VALUE_MAX. A request limiter is
 * turned off by giving its semaphore SEM_VALUE_MAX permits ("unlimited"),
 * and requests then skip the acquire, since there is no limit, but still
 * release. The first release finds the value at SEM_VALUE_MAX: sem_post
 * fails with EOVERFLOW and the permit is lost (the limiter would now
 * refuse requests it should let through, had it a real limit). Nobody
 * checks the result.
 *
 * ccheck must report a sem-overflow at the release, and nothing else.
 */
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>

static sem_t limiter;
static bool limited; /* off: "unlimited" */
static long served;

static void acquire(void)
{
    if (limited)
        sem_wait(&limiter);
}

static void release(void)
{
    sem_post(&limiter); /* ccheck-expect: sem-overflow */
}

static void *serve(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        acquire();
        served++;
        release();
    }
    return NULL;
}

int main(void)
{
    sem_init(&limiter, 0, limited ? 8 : SEM_VALUE_MAX);
    pthread_t t;
    if (pthread_create(&t, NULL, serve, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    int value;
    sem_getvalue(&limiter, &value);
    printf("served %ld, limiter at %d\n", served, value);
    sem_destroy(&limiter);
    return 0;
}
