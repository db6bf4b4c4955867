/* Pitfall: two waits on one condition variable with different mutexes.
 * A cache and a journal share the condition variable `changed`, but each
 * guards its own state with its own mutex: the cache's reader waits with
 * cache_lock, the journal's with journal_lock. POSIX binds a condition
 * variable to one mutex while threads wait on it, and leaves anything else
 * undefined; and a thread that updates the cache under cache_lock does not
 * exclude the journal's reader, between its check and its wait. (Relaxed
 * atomics, which ccheck cannot see, sequence the threads so that both wait
 * at once; timed waits make sure that nobody waits forever.)
 *
 * ccheck must report a cond-mutex-mismatch at the journal reader's wait,
 * naming the cache reader's wait, and nothing else.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
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
        if (pthread_cond_timedwait(&changed, &cache_lock, &deadline) == ETIMEDOUT)
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
        if (pthread_cond_timedwait(&changed, &journal_lock, &deadline) == ETIMEDOUT) /* ccheck-expect: cond-mutex-mismatch */
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
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_lock(&journal_lock);
    journal_ready = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&journal_lock);

    pthread_join(cache, NULL);
    pthread_join(journal, NULL);
    puts("both updated");
    return 0;
}
