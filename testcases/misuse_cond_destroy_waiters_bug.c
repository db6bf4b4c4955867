/* Pitfall: destroying a condition variable while a thread waits on it.
 * A pool's idle worker waits up to 300 ms for a job before it retires.
 * The pool's shutdown destroys the condition variable first and only then
 * tells the worker to stop and joins it. POSIX leaves a destroy with
 * waiters undefined; glibc's pthread_cond_destroy waits until every waiter
 * has woken, here until the worker's wait times out (with an untimed wait,
 * forever), and the worker then comes back from a wait on a condition
 * variable that no longer exists. (Relaxed atomics, which ccheck cannot
 * see, make sure the worker waits before the shutdown begins.)
 *
 * ccheck must report a destroy-with-waiters at the destroy, naming the
 * worker's wait, and nothing else.
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
    struct timespec retire = in_ms(300);
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
    pthread_cond_destroy(&work_ready); /* ccheck-expect: destroy-with-waiters */
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
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
