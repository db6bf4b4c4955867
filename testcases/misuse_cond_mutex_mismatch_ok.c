/* Fixed twin of misuse_cond_mutex_mismatch_bug.c: the cache and the
 * journal each have their own condition variable, used with their own
 * mutex, so every wait on a condition variable uses the same mutex as the
 * others. (The same sequencing: both readers wait at once.)
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_cond_t cache_changed = PTHREAD_COND_INITIALIZER;
static pthread_cond_t journal_changed = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache_ready, journal_ready;
static atomic_int cache_waiting, journal_waiting;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static void *cache_reader(void *arg)
{
    (void)arg;
    struct timespec deadline = in_ms(5000);
    pthread_mutex_lock(&cache_lock);
    atomic_store_explicit(&cache_waiting, 1, memory_order_relaxed);
    while (!cache_ready)
        if (pthread_cond_timedwait(&cache_changed, &cache_lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

static void *journal_reader(void *arg)
{
    (void)arg;
    struct timespec deadline = in_ms(5000);
    pthread_mutex_lock(&journal_lock);
    atomic_store_explicit(&journal_waiting, 1, memory_order_relaxed);
    while (!journal_ready)
        if (pthread_cond_timedwait(&journal_changed, &journal_lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&journal_lock);
    return NULL;
}

/* Returns once the thread that set `flag` holding `m` waits: its wait has
 * released m. */
static void until_waiting(atomic_int *flag, pthread_mutex_t *m)
{
    while (!atomic_load_explicit(flag, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
}

int main(void)
{
    pthread_t cache, journal;
    pthread_create(&cache, NULL, cache_reader, NULL);
    until_waiting(&cache_waiting, &cache_lock);
    pthread_create(&journal, NULL, journal_reader, NULL);
    until_waiting(&journal_waiting, &journal_lock);

    pthread_mutex_lock(&cache_lock);
    cache_ready = 1;
    pthread_cond_broadcast(&cache_changed);
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_lock(&journal_lock);
    journal_ready = 1;
    pthread_cond_broadcast(&journal_changed);
    pthread_mutex_unlock(&journal_lock);

    pthread_join(cache, NULL);
    pthread_join(journal, NULL);
    puts("both updated");
    return 0;
}
