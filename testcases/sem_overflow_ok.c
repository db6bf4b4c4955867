/* Fixed twin of sem_overflow_bug.c: release gives back only a permit that
 * acquire took, so an unlimited limiter is never posted at all.
 *
 * ccheck must report nothing.
 */
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>

static sem_t limiter;
static bool limited; /* off: "unlimited" */
static long served;

static bool acquire(void)
{
    if (!limited)
        return false;
    sem_wait(&limiter);
    return true;
}

static void release(bool taken)
{
    if (taken)
        sem_post(&limiter);
}

static void *serve(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        bool taken = acquire();
        served++;
        release(taken);
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
