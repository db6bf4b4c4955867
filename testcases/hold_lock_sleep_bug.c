/* Pitfall: blocking while holding a lock. The refresher fetches a new value
 * for the cache with `cache_lock` held, and the fetch is slow (a 50 ms
 * nanosleep stands for a network round trip); the configuration reader
 * read()s a pipe with `config_lock` held, and the other end writes only
 * 50 ms later. Every thread that needs either lock meanwhile waits as long
 * as the sleep or the read: one slow call inside a critical section makes
 * all its users slow, and one that never returns makes them hang.
 *
 * The check is off by default; this run sets a threshold of 20 ms:
 * ccheck-options: hold_threshold_ms=20
 *
 * ccheck must report lock-held-too-long (a warning) at each unlock, and
 * nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char cache[64] = "stale value";
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static char config[64];
static int config_pipe[2];
static atomic_int reading;

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
    pthread_mutex_lock(&cache_lock);
    fetch(cache, sizeof cache); /* sleeps with the lock held */
    pthread_mutex_unlock(&cache_lock); /* ccheck-expect: lock-held-too-long */
    return NULL;
}

static void *config_reader(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&config_lock);
    atomic_store_explicit(&reading, 1, memory_order_relaxed);
    ssize_t n = read(config_pipe[0], config, sizeof config - 1); /* blocks with the lock held */
    if (n > 0)
        config[n] = '\0';
    pthread_mutex_unlock(&config_lock); /* ccheck-expect: lock-held-too-long */
    return NULL;
}

/* The pipe's other end: a producer that takes its time once the reader
 * holds the lock. */
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
    pthread_t threads[3];
    pthread_create(&threads[0], NULL, refresher, NULL);
    pthread_create(&threads[1], NULL, config_reader, NULL);
    pthread_create(&threads[2], NULL, config_writer, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    /* The threads are joined: nothing else uses the state any more. */
    printf("cache: %s, config: %s\n", cache, config);
    return 0;
}
