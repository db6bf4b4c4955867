/* Pitfall: a thread pool whose shutdown forgets to wake its idle workers.
 * The pool is thread_pool_ok.c's: workers take jobs from a bounded queue
 * and wait on `not_empty` while it is empty. Shutdown marks the queue
 * closed under the mutex but sends no broadcast, so a worker that already
 * waits is never told: it sleeps on, and main's join of it waits forever.
 * The workers' waits are correct loops over their predicate; what is
 * missing is the wakeup that makes them look at it again. Here main shuts
 * the pool down once every job is done and every worker has gone back to
 * wait for the next one (relaxed atomics the detector cannot see tell it),
 * as at the end of most runs. A worker still on its way out of a wait
 * (woken for a job that another worker took first) sees the flag and ends;
 * the workers asleep in the wait never do, and at least one is: the last
 * to finish a job goes back to wait after the last signal was sent.
 *
 * ccheck's watchdog must report a `hang` showing the idle workers waiting
 * for "not empty" and main joining one of them, and end the process.
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
    queue.closed = true; /* the bug: no broadcast on not_empty wakes the idle workers */
    pthread_mutex_unlock(&queue.lock);
}

/* The next job, or -1 once the queue is closed and empty. */
static int take(void)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0 && !queue.closed) {
        atomic_fetch_add_explicit(&idle, 1, memory_order_relaxed);
        pthread_cond_wait(&queue.not_empty, &queue.lock); /* ccheck-expect: hang */
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
        pthread_join(pool[i], NULL); /* ccheck-expect: hang */
    long expected = 0;
    for (long job = 0; job < JOBS; job++)
        expected += job * job;
    printf("%ld jobs, total %ld (%s)\n", done, total, total == expected ? "right" : "WRONG");
    return total == expected ? 0 : 1;
}
