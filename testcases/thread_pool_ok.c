/* A fixed pool of worker threads fed through a bounded queue, shut down
 * cleanly: main submits every job (waiting while the queue is full), then
 * closes the queue; the workers drain what is left and return when the
 * queue is closed and empty, and main joins each of them. Every wait is
 * in a loop over its predicate, under the queue's mutex.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

enum { WORKERS = 4, CAPACITY = 8, JOBS = 200 };

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    int items[CAPACITY];
    int head, count;
    bool closed;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
           {0}, 0, 0, false};

static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;
static long total, done;

static void submit(int job)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == CAPACITY)
        pthread_cond_wait(&queue.not_full, &queue.lock);
    queue.items[(queue.head + queue.count++) % CAPACITY] = job;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

static void close_queue(void)
{
    pthread_mutex_lock(&queue.lock);
    queue.closed = true;
    pthread_cond_broadcast(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

/* The next job, or -1 once the queue is closed and empty. */
static int take(void)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0 && !queue.closed)
        pthread_cond_wait(&queue.not_empty, &queue.lock);
    int job = -1;
    if (queue.count > 0) {
        job = queue.items[queue.head];
        queue.head = (queue.head + 1) % CAPACITY;
        queue.count--;
        pthread_cond_signal(&queue.not_full);
    }
    pthread_mutex_unlock(&queue.lock);
    return job;
}

static void *worker(void *arg)
{
    (void)arg;
    for (int job; (job = take()) >= 0;) {
        long square = (long)job * job;
        pthread_mutex_lock(&totals_lock);
        total += square;
        done++;
        pthread_mutex_unlock(&totals_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t pool[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        if (pthread_create(&pool[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int job = 0; job < JOBS; job++)
        submit(job);
    close_queue();
    for (int i = 0; i < WORKERS; i++)
        pthread_join(pool[i], NULL);
    long expected = 0;
    for (long job = 0; job < JOBS; job++)
        expected += job * job;
    printf("%ld jobs, total %ld (%s)\n", done, total, total == expected ? "right" : "WRONG");
    return total == expected ? 0 : 1;
}
