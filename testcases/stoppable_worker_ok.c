/* Fixed twin of daemon_worker_bug.c: the flusher is joinable and stops
 * when an Event is set, like Python's threading.Event: it waits on the
 * event with a timeout between batches ("while not stop.wait(0.005):
 * flush()"), makes a last flush when it is set, and main joins it, so no
 * buffered record is lost.
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

typedef struct event {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool set;
} event_t;

static void event_set(event_t *e)
{
    pthread_mutex_lock(&e->lock);
    e->set = true;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
}

/* True once the event is set; false when `ms` passed first. */
static bool event_wait(event_t *e, long ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += ms * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->lock);
    int rc = 0;
    while (!e->set && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&e->changed, &e->lock, &deadline);
    bool set = e->set;
    pthread_mutex_unlock(&e->lock);
    return set;
}

static event_t stop = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
static atomic_long buffered, flushed;

static void flush(void)
{
    long n = atomic_exchange_explicit(&buffered, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&flushed, n, memory_order_relaxed);
}

static void *flusher(void *arg)
{
    (void)arg;
    while (!event_wait(&stop, 5))
        flush();
    flush(); /* the last batch */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, flusher, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    for (long i = 0; i < 1000; i++)
        atomic_fetch_add_explicit(&buffered, 1, memory_order_relaxed);
    while (atomic_load_explicit(&flushed, memory_order_relaxed) == 0)
        sched_yield();
    event_set(&stop);
    pthread_join(t, NULL);
    printf("%ld records flushed\n", atomic_load_explicit(&flushed, memory_order_relaxed));
    return 0;
}
