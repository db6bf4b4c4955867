/* Fixed twin of barrier_destroy_waiters_bug.c: a worker that fails still
 * arrives at the barrier (it has a slot in every round), so the round
 * completes; main joins both workers and only then destroys the barrier.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_barrier_t phase_done;
static atomic_int failures;

static void *good_worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&phase_done);
    return NULL;
}

static void *failing_worker(void *arg)
{
    (void)arg;
    atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
    pthread_barrier_wait(&phase_done); /* arrive anyway */
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&phase_done, NULL, 2);
    pthread_t good, bad;
    if (pthread_create(&good, NULL, good_worker, NULL) != 0 ||
        pthread_create(&bad, NULL, failing_worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(bad, NULL);
    pthread_join(good, NULL);
    pthread_barrier_destroy(&phase_done);
    printf("%d worker(s) failed, cleaned up\n",
           atomic_load_explicit(&failures, memory_order_relaxed));
    return 0;
}
