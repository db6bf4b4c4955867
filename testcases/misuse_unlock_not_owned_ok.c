/* Fixed twin of misuse_unlock_not_owned_bug.c: the worker signals the end
 * of its job with a semaphore, which any thread may post, and main waits on
 * it. (Joining the worker would do as well.)
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t done;
static long result;

static void *worker(void *arg)
{
    (void)arg;
    for (long i = 1; i <= 1000; i++)
        result += i;
    sem_post(&done);
    return NULL;
}

int main(void)
{
    sem_init(&done, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    sem_wait(&done);
    printf("result = %ld\n", result);
    pthread_join(t, NULL);
    sem_destroy(&done);
    return 0;
}
