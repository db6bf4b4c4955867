/* Fixed twin of misuse_cond_destroy_waiters_bug.c: the shutdown tells the
 * worker to stop (under the mutex, with a broadcast that wakes it), joins
 * it, and destroys the condition variable and the mutex only then, when
 * nobody can wait on them any more. (The same sequencing: the worker
 * waits when the shutdown begins.)
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static int jobs, stopping;
static atomic_int idle;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static void *worker(void *arg)
{
    (void)arg;
    struct timespec retire = in_ms(5000);
    pthread_mutex_lock(&lock);
    atomic_store_explicit(&idle, 1, memory_order_relaxed);
    while (!jobs && !stopping)
        if (pthread_cond_timedwait(&work_ready, &lock, &retire) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void pool_shutdown(pthread_t t)
{
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_broadcast(&work_ready);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    pthread_cond_destroy(&work_ready);
    pthread_mutex_destroy(&lock);
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    /* The worker set `idle` holding the lock, and its wait releases it. */
    while (!atomic_load_explicit(&idle, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    pool_shutdown(t);
    puts("pool shut down");
    return 0;
}
