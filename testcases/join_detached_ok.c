/* Fixed twin of join_detached_bug.c: the tasks whose results main needs
 * are created joinable and joined; only the fire-and-forget task is
 * detached, and main never joins it (it waits for its flag instead).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static atomic_int go, indexed, pinged;

static void *build_index(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&go, memory_order_relaxed))
        sched_yield();
    atomic_store_explicit(&indexed, 1, memory_order_relaxed);
    return (void *)(intptr_t)42;
}

static void *checksum(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)7;
}

static void *ping(void *arg)
{
    (void)arg;
    atomic_store_explicit(&pinged, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t indexer, summer, pinger;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&indexer, NULL, build_index, NULL) != 0 ||
        pthread_create(&summer, NULL, checksum, NULL) != 0 ||
        pthread_create(&pinger, &attr, ping, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_attr_destroy(&attr);
    atomic_store_explicit(&go, 1, memory_order_relaxed);
    void *result = NULL;
    int rc = pthread_join(indexer, &result);
    printf("index join: %s, result %ld\n", strerror(rc), (long)(intptr_t)result);
    rc = pthread_join(summer, &result);
    printf("checksum join: %s, result %ld\n", strerror(rc), (long)(intptr_t)result);
    while (!atomic_load_explicit(&pinged, memory_order_relaxed))
        sched_yield();
    return 0;
}
