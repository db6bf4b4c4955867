/* The fixed twin of race_cond_free_bug.c: the worker signals while it
 * still holds the mutex, so its signal happens before its unlock, and that
 * before main's return from the wait (or its lock): main may free the
 * context as soon as it has unlocked.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct context {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool done;
} context_t;

static void *work(void *arg)
{
    context_t *c = arg;
    pthread_mutex_lock(&c->lock);
    c->done = true;
    pthread_cond_signal(&c->changed);
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int main(void)
{
    context_t *c = calloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    pthread_t t;
    pthread_create(&t, NULL, work, c);
    pthread_mutex_lock(&c->lock);
    while (!c->done)
        pthread_cond_wait(&c->changed, &c->lock);
    pthread_mutex_unlock(&c->lock);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    free(c);
    pthread_join(t, NULL);
    printf("done\n");
    return 0;
}
