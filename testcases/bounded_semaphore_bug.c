/* Pitfall: a permit given back twice. A pool of two connections is guarded
 * by a semaphore of two permits; query() returns its connection on the
 * error path and then again at the common exit. From then on the
 * semaphore counts three free connections for a pool of two, and a third
 * thread would be let in to share a connection. With bounded_semaphore=1
 * ccheck treats semaphores initialised with permits as bounded, as
 * Python's BoundedSemaphore does.
 *
 * ccheck-options: bounded_semaphore=1
 *
 * ccheck must report a sem-bound-exceeded at the second release, and
 * nothing else.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t free_connections;
static long queries;

static int query(int fail)
{
    int rc = 0;
    sem_wait(&free_connections);
    queries++;
    if (fail) {
        rc = -1;
        sem_post(&free_connections);
        goto out; /* the exit below releases again */
    }
out:
    sem_post(&free_connections); /* ccheck-expect: sem-bound-exceeded */
    return rc;
}

static void *client(void *arg)
{
    (void)arg;
    query(0);
    if (query(1) != 0)
        printf("query failed\n");
    return NULL;
}

int main(void)
{
    sem_init(&free_connections, 0, 2);
    pthread_t t;
    if (pthread_create(&t, NULL, client, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    int value;
    sem_getvalue(&free_connections, &value);
    printf("%ld queries, %d free connections of 2\n", queries, value);
    sem_destroy(&free_connections);
    return 0;
}
