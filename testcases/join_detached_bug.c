/* Pitfall: joining a detached thread. spawn_task() starts tasks detached
 * ("fire and forget"), and a checksum task detaches itself, yet main later
 * joins both to collect their results. A detached thread cannot be joined:
 * glibc fails the join with EINVAL at once, the result is never set, and
 * main goes on as if the task had finished. Once such a thread has ended,
 * a new thread may be given its handle, and the join would wait for that
 * one instead. The threads are ordered with relaxed atomics the detector
 * cannot see.
 *
 * ccheck must report a join-detached at each of main's two joins (with
 * where the first task was created detached and where the second detached
 * itself), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static atomic_int go, indexed, summed;

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
    pthread_detach(pthread_self()); /* "nobody needs to wait for me" */
    atomic_store_explicit(&summed, 1, memory_order_relaxed);
    return (void *)(intptr_t)7;
}

static int spawn_task(pthread_t *t, void *(*fn)(void *))
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(t, &attr, fn, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

int main(void)
{
    pthread_t indexer, summer;
    if (spawn_task(&indexer, build_index) != 0 ||
        pthread_create(&summer, NULL, checksum, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    void *result = NULL;
    int rc = pthread_join(indexer, &result); /* ccheck-expect: join-detached */
    printf("index join: %s, result %ld\n", strerror(rc), (long)(intptr_t)result);

    while (!atomic_load_explicit(&summed, memory_order_relaxed))
        sched_yield();
    result = NULL;
    rc = pthread_join(summer, &result); /* ccheck-expect: join-detached */
    printf("checksum join: %s, result %ld\n", strerror(rc), (long)(intptr_t)result);

    /* Let the indexer finish before the process ends. */
    atomic_store_explicit(&go, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&indexed, memory_order_relaxed))
        sched_yield();
    return 0;
}
