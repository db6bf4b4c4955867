/* Fixed twin of bounded_semaphore_bug.c: every path of query() gives its
 * connection back once. A semaphore that signals (initialised with 0, a
 * producer posting for a consumer) is not bounded and is never judged.
 *
 * ccheck-options: bounded_semaphore=1
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t free_connections;
static sem_t results; /* signals: starts at 0 */
static long queries;

static int query(int fail)
{
    int rc = 0;
    sem_wait(&free_connections);
    queries++;
    if (fail)
        rc = -1;
    sem_post(&free_connections);
    return rc;
}

static void *client(void *arg)
{
    (void)arg;
    query(0);
    if (query(1) != 0)
        printf("query failed\n");
    sem_post(&results);
    sem_post(&results);
    return NULL;
}

int main(void)
{
    sem_init(&free_connections, 0, 2);
    sem_init(&results, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, client, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    sem_wait(&results);
    sem_wait(&results);
    int value;
    sem_getvalue(&free_connections, &value);
    printf("%ld queries, %d free connections of 2\n", queries, value);
    sem_destroy(&results);
    sem_destroy(&free_connections);
    return 0;
}
