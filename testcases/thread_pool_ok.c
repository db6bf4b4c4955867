/* A fixed pool of worker threads fed through a bounded queue, shut down
 * cleanly: main submits every job (waiting while the queue is full), then
 * closes the queue; the workers drain what is left and return when the
 * queue is closed and empty, and main joins each of them. Every wait is
 * in a loop over its predicate, under the queue's mutex. It is the fixed
 * twin of thread_pool_bug.c: the shutdown broadcasts `not_empty`, so the
 * workers that wait for a job wake up and see that the queue is closed.
 * (The same sequencing: every worker is idle when the shutdown comes.)
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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

/* Sequencing only, relaxed, so they order nothing: jobs finished, and
 * workers inside their wait for a job (bumped under the queue's mutex right
 * before the wait, so whoever takes the mutex next finds them waiting). */
static atomic_int finished, idle;

static void wait_until(atomic_int *counter, int n)
{
    while (atomic_load_explicit(counter, memory_order_relaxed) < n)
        sched_yield();
}

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
    while (queue.count == 0 && !queue.closed) {
        atomic_fetch_add_explicit(&idle, 1, memory_order_relaxed);
        pthread_cond_wait(&queue.not_empty, &queue.lock);
        atomic_fetch_sub_explicit(&idle, 1, memory_order_relaxed);
    }
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
        atomic_fetch_add_explicit(&finished, 1, memory_order_relaxed);
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
    wait_until(&finished, JOBS);
    wait_until(&idle, WORKERS);
    close_queue();
    for (int i = 0; i < WORKERS; i++)
        pthread_join(pool[i], NULL);
    long expected = 0;
    for (long job = 0; job < JOBS; job++)
        expected += job * job;
    printf("%ld jobs, total %ld (%s)\n", done, total, total == expected ? "right" : "WRONG");
    return total == expected ? 0 : 1;
}
