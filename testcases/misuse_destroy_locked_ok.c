/* Fixed twin of misuse_destroy_locked_bug.c: shutdown joins the worker
 * first, so nobody holds the mutex when it is destroyed.
 *
 * ccheck must report nothing.
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
static atomic_int in_critical_section, stop;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q.lock);
    q.items[q.count++] = 42;
    atomic_store_explicit(&in_critical_section, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        sched_yield();
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void queue_shutdown(struct queue *queue, pthread_t worker_thread)
{
    atomic_store_explicit(&stop, 1, memory_order_relaxed);
    pthread_join(worker_thread, NULL);
    pthread_mutex_destroy(&queue->lock);
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
    queue_shutdown(&q, t);
    printf("%d item(s)\n", q.count);
    return 0;
}
