/* Pitfall: signalling after unlocking, on a condition variable the waiter
 * frees. Once the worker has set `done` and unlocked, main can see `done`
 * (with or without waiting) and free the context while the worker is
 * still inside pthread_cond_signal on it: a use after free. Here the worker
 * reports (through a relaxed flag, which orders nothing) that the signal
 * returned before main frees, so the run is clean, but nothing orders the
 * two.
 *
 * ccheck must report the signal racing with the free (TSan: cond_race.cpp).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct context {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool done;
} context_t;

static atomic_int signalled;

static void *work(void *arg)
{
    context_t *c = arg;
    pthread_mutex_lock(&c->lock);
    c->done = true;
    pthread_mutex_unlock(&c->lock);
    pthread_cond_signal(&c->changed); /* ccheck-expect: data-race */
    atomic_store_explicit(&signalled, 1, memory_order_relaxed);
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
    while (!atomic_load_explicit(&signalled, memory_order_relaxed))
        sched_yield();
    free(c); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    printf("done\n");
    return 0;
}
