/* Fixed twin of sem_destroy_waiters_bug.c: shutdown sets the stop flag,
 * wakes the worker with a post, joins it, and only then destroys the
 * semaphore, when nobody can be waiting on it.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

static sem_t work;
static atomic_int stop, waiting;
static long done;

static void *worker(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        atomic_store_explicit(&waiting, 1, memory_order_relaxed);
        if (sem_wait(&work) == 0 && !atomic_load_explicit(&stop, memory_order_relaxed))
            done++;
    }
    return NULL;
}

int main(void)
{
    sem_init(&work, 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    while (!atomic_load_explicit(&waiting, memory_order_relaxed))
        sched_yield();
    atomic_store_explicit(&stop, 1, memory_order_relaxed);
    sem_post(&work); /* wake it to see the flag */
    pthread_join(t, NULL);
    sem_destroy(&work);
    printf("%ld items done\n", done);
    return 0;
}
