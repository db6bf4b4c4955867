/* Pitfall: a semaphore nobody posts. A worker waits on `ready` for main to
 * hand it work, but main forgets to post it and goes straight to joining the
 * worker. The worker waits for a post that will never come, main waits for
 * the worker: every thread is blocked and none can wake another. Without
 * ccheck it hangs.
 *
 * ccheck's watchdog must report a `hang` pointing at the worker's sem_wait
 * and main's join (the lines marked below), and end the process.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t ready;
static int work;

static void *worker(void *arg)
{
    (void)arg;
    sem_wait(&ready); /* ccheck-expect: hang */
    printf("work = %d\n", work);
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&ready, 0, 0);
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    work = 42; /* ... and forgets sem_post(&ready) */
    pthread_join(t, NULL); /* ccheck-expect: hang */
    sem_destroy(&ready);
    puts("not reached");
    return 0;
}
