/* Fixed twin of sem_uninitialized_bug.c: new_job() initialises the
 * completion semaphore of the recycled slot, and the job destroys it when
 * it is done.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

struct request {
    long id;
    int priority;
};

struct job {
    sem_t done;
    long result;
};

union slot {
    struct request request;
    struct job job;
};

static union slot slots[1];

static struct job *new_job(void)
{
    struct job *j = &slots[0].job;
    sem_init(&j->done, 0, 0);
    j->result = 0;
    return j;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    j->result = 42;
    sem_post(&j->done);
    return NULL;
}

int main(void)
{
    slots[0].request = (struct request){.id = 0, .priority = 1};

    struct job *j = new_job();
    pthread_t t;
    if (pthread_create(&t, NULL, worker, j) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    sem_wait(&j->done);
    pthread_join(t, NULL);
    printf("result %ld\n", j->result);
    sem_destroy(&j->done);
    return 0;
}
