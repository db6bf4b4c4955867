/* Pitfall: a race with free(). Main hands a request to a worker and frees
 * it once the worker says (through a relaxed flag, which orders nothing)
 * that it has started; the worker is still reading the request.
 *
 * ccheck must report the race between the worker's read and main's free.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct request {
    int id;
    char payload[60];
} request_t;

static atomic_int started;

static void *serve(void *arg)
{
    request_t *r = arg;
    int id = r->id; /* ccheck-expect: data-race */
    atomic_store_explicit(&started, 1, memory_order_relaxed);
    return (void *)(long)id;
}

int main(void)
{
    request_t *r = calloc(1, sizeof *r);
    r->id = 7;
    pthread_t t;
    pthread_create(&t, NULL, serve, r);
    while (!atomic_load_explicit(&started, memory_order_relaxed))
        sched_yield();
    free(r); /* ccheck-expect: data-race */
    void *id;
    pthread_join(t, &id);
    printf("served %ld\n", (long)id);
    return 0;
}
