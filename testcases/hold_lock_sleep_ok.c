/* hold_lock_sleep_bug.c fixed: the slow calls run with no lock held, and
 * the lock covers only the update of the shared state. The refresher
 * fetches into a local buffer and then swaps it in; the configuration
 * reader reads the pipe into a local buffer and then stores it. A user of
 * the cache waits for the refresh on a condition variable: the wait lasts
 * as long as the fetch (50 ms), but it releases the mutex while it waits,
 * so it is no hold.
 *
 * ccheck-options: hold_threshold_ms=20
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cache_fresh = PTHREAD_COND_INITIALIZER;
static char cache[64] = "stale value";
static int cache_ready;
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static char config[64];
static int config_pipe[2];
static atomic_int reading, user_waiting;

static void take_50_ms(void)
{
    struct timespec slow = {0, 50 * 1000 * 1000};
    nanosleep(&slow, NULL);
}

/* Stands for a slow fetch: a network round trip, a disk read. */
static void fetch(char *out, size_t size)
{
    take_50_ms();
    snprintf(out, size, "fresh value");
}

static void *refresher(void *arg)
{
    (void)arg;
    /* Once the user waits (or is about to: it holds the lock until it
     * does), so that its wait lasts the whole fetch. */
    while (!atomic_load_explicit(&user_waiting, memory_order_relaxed))
        sched_yield();
    char fresh[sizeof cache];
    fetch(fresh, sizeof fresh); /* slow, and no lock held */
    pthread_mutex_lock(&cache_lock);
    memcpy(cache, fresh, sizeof cache);
    cache_ready = 1;
    pthread_cond_broadcast(&cache_fresh);
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

static void *cache_user(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cache_lock);
    atomic_store_explicit(&user_waiting, 1, memory_order_relaxed);
    while (!cache_ready)
        pthread_cond_wait(&cache_fresh, &cache_lock); /* releases the lock while it waits */
    printf("cache: %s\n", cache);
    pthread_mutex_unlock(&cache_lock);
    return NULL;
}

static void *config_reader(void *arg)
{
    (void)arg;
    char buf[sizeof config];
    atomic_store_explicit(&reading, 1, memory_order_relaxed);
    ssize_t n = read(config_pipe[0], buf, sizeof buf - 1); /* blocks, no lock held */
    buf[n > 0 ? n : 0] = '\0';
    pthread_mutex_lock(&config_lock);
    memcpy(config, buf, sizeof config);
    pthread_mutex_unlock(&config_lock);
    return NULL;
}

/* The pipe's other end: a producer that takes its time once the reader
 * reads. */
static void *config_writer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&reading, memory_order_relaxed))
        sched_yield();
    take_50_ms();
    if (write(config_pipe[1], "mode=fast", 9) != 9)
        perror("write");
    return NULL;
}

int main(void)
{
    if (pipe(config_pipe) != 0) {
        perror("pipe");
        return 1;
    }
    pthread_t threads[4];
    pthread_create(&threads[0], NULL, cache_user, NULL);
    pthread_create(&threads[1], NULL, refresher, NULL);
    pthread_create(&threads[2], NULL, config_reader, NULL);
    pthread_create(&threads[3], NULL, config_writer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    /* The threads are joined: nothing else uses the state any more. */
    printf("config: %s\n", config);
    return 0;
}
