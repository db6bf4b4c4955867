/* Fixed twin of c11_cnd_destroy_waiters_bug.c: the shutdown sets the flag
 * and broadcasts under the mutex (cnd_broadcast), joins the worker, and
 * only then destroys the condition variable and the mutex.
 *
 * ccheck must report nothing.
 */
#define RETIRE_MS 5000
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

static mtx_t lock;
static cnd_t work_ready;
static int jobs, stopping;
static atomic_int idle;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static int worker(void *arg)
{
    (void)arg;
    struct timespec retire = in_ms(RETIRE_MS);
    mtx_lock(&lock);
    atomic_store_explicit(&idle, 1, memory_order_relaxed);
    while (!jobs && !stopping)
        if (cnd_timedwait(&work_ready, &lock, &retire) == thrd_timedout)
            break;
    mtx_unlock(&lock);
    return 0;
}

static void pool_shutdown(thrd_t t)
{
    mtx_lock(&lock);
    stopping = 1;
    cnd_broadcast(&work_ready);
    mtx_unlock(&lock);
    thrd_join(t, NULL);
    cnd_destroy(&work_ready);
    mtx_destroy(&lock);
}

int main(void)
{
    thrd_t t;
    mtx_init(&lock, mtx_plain);
    cnd_init(&work_ready);
    thrd_create(&t, worker, NULL);
    /* The worker set `idle` holding the lock, and its wait releases it. */
    while (!atomic_load_explicit(&idle, memory_order_relaxed))
        sched_yield();
    mtx_lock(&lock);
    mtx_unlock(&lock);
    pool_shutdown(t);
    puts("pool shut down");
    return 0;
}
