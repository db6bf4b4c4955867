/* Pitfall: misuse_cond_destroy_waiters_bug.c with C11 <threads.h>: the
 * pool's shutdown destroys the condition variable (cnd_destroy) while its
 * idle worker waits on it (cnd_timedwait), and tells the worker to stop
 * only then. glibc's cnd_destroy waits until the worker's wait times out.
 *
 * ccheck must report a destroy-with-waiters at the cnd_destroy, naming the
 * worker's wait, and nothing else.
 */
#define RETIRE_MS 300
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
    cnd_destroy(&work_ready); /* ccheck-expect: destroy-with-waiters */
    mtx_lock(&lock);
    stopping = 1;
    mtx_unlock(&lock);
    thrd_join(t, NULL);
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
