/* Pitfall: a semaphore used without sem_init. Jobs come from a free list
 * that recycles slots, and new_job() forgets to initialise the job's
 * completion semaphore: its memory still holds the previous occupant of
 * the slot, a request whose id and priority sit where the semaphore keeps
 * its count and its futex flags. glibc works on whatever it finds; here
 * the post and the wait seem to work, with other leftovers a wait would
 * return at once, block for good, or abort inside glibc.
 *
 * ccheck must report a sem-invalid at the post and at the wait, and
 * nothing else.
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
    struct job *j = &slots[0].job; /* recycled: sem_init forgotten */
    j->result = 0;
    return j;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    j->result = 42;
    sem_post(&j->done); /* ccheck-expect: sem-invalid */
    return NULL;
}

int main(void)
{
    /* The slot's previous life. */
    slots[0].request = (struct request){.id = 0, .priority = 1};

    struct job *j = new_job();
    pthread_t t;
    if (pthread_create(&t, NULL, worker, j) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    sem_wait(&j->done); /* ccheck-expect: sem-invalid */
    printf("result %ld\n", j->result);
    return 0;
}
