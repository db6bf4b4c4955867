/* Fixed twin of sem_never_posted_bug.c: main posts `ready` after handing
 * over the work, so the worker's sem_wait returns and the join completes.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t ready;
static int work;

static void *worker(void *arg)
{
    (void)arg;
    sem_wait(&ready);
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
    work = 42;
    sem_post(&ready);
    pthread_join(t, NULL);
    sem_destroy(&ready);
    return 0;
}
