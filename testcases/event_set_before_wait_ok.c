/* An Event (a flag, a mutex and a condition variable, as Python's
 * threading.Event) that is set before anyone waits: the set's signal finds
 * no waiter, but wait() checks the flag first and returns at once. Correct.
 * ccheck must report nothing. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct event {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool set;
} event_t;

static event_t done = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};

static void event_set(event_t *e)
{
    pthread_mutex_lock(&e->lock);
    e->set = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void event_wait(event_t *e)
{
    pthread_mutex_lock(&e->lock);
    while (!e->set)
        pthread_cond_wait(&e->cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
}

static void *worker(void *arg)
{
    (void)arg;
    event_set(&done);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL); /* the event is set before anyone waits */
    event_wait(&done);
    puts("event seen");
    return 0;
}
