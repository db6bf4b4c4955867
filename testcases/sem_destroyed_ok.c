/* Fixed twin of sem_destroyed_bug.c: shutdown joins every thread that uses
 * the job semaphore, the late producer included, before destroying it.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t jobs;
static long handled;

static void *consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        sem_wait(&jobs);
        handled++;
    }
    return NULL;
}

static void *late_producer(void *arg)
{
    (void)arg;
    sem_post(&jobs);
    return NULL;
}

int main(void)
{
    sem_init(&jobs, 0, 0);
    pthread_t c, p;
    if (pthread_create(&c, NULL, consumer, NULL) != 0 ||
        pthread_create(&p, NULL, late_producer, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    sem_post(&jobs);
    sem_post(&jobs);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    sem_destroy(&jobs);
    printf("%ld jobs handled\n", handled);
    return 0;
}
