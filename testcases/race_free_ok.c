/* The fixed twin of race_free_bug.c: main joins the worker before freeing
 * the request, so every read of the worker happens before the free.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct request {
    int id;
    char payload[60];
} request_t;

static void *serve(void *arg)
{
    request_t *r = arg;
    return (void *)(long)r->id;
}

int main(void)
{
    request_t *r = calloc(1, sizeof *r);
    r->id = 7;
    pthread_t t;
    pthread_create(&t, NULL, serve, r);
    void *id;
    pthread_join(t, &id);
    free(r);
    printf("served %ld\n", (long)id);
    return 0;
}
