/* Pitfall: shutdown destroys a mutex a worker still holds. main tears the
 * queue down as soon as it has asked the worker to stop, without waiting
 * for the worker to leave its critical section. Destroying a locked mutex
 * is undefined: glibc refuses it with EBUSY (which the code ignores, so the
 * queue's memory is reused while the worker still uses it); other systems
 * free it under the worker's feet. The threads are ordered with relaxed
 * atomics the detector cannot see.
 *
 * ccheck must report a destroy-locked at the destroy, with the place the
 * worker locked the mutex, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

struct queue {
    pthread_mutex_t lock;
    int items[8];
    int count;
};

static struct queue q;
static atomic_int in_critical_section, torn_down;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q.lock); /* ccheck-expect: destroy-locked */
    q.items[q.count++] = 42;
    atomic_store_explicit(&in_critical_section, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&torn_down, memory_order_relaxed))
        sched_yield();
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void queue_shutdown(struct queue *queue)
{
    pthread_mutex_destroy(&queue->lock); /* ccheck-expect: destroy-locked */
}

int main(void)
{
    pthread_mutex_init(&q.lock, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&in_critical_section, memory_order_relaxed))
        sched_yield();
    queue_shutdown(&q); /* the worker is still inside */
    atomic_store_explicit(&torn_down, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    printf("%d item(s)\n", q.count);
    return 0;
}
