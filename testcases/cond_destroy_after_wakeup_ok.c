/* Destroying a condition variable right after waking every thread that
 * waits on it is legal (POSIX gives this very example): the woken waiter
 * is only taking its mutex back, and glibc's destroy waits for it to leave.
 * Here main broadcasts "done", unlocks and destroys at once, while the
 * worker may still be on its way out of pthread_cond_wait.
 *
 * ccheck must report nothing (no destroy-with-waiters).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished;
static bool done;
static atomic_int waiting; /* sequencing only: set under `lock` before the wait */

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!done) {
        atomic_store_explicit(&waiting, 1, memory_order_relaxed);
        pthread_cond_wait(&finished, &lock);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_cond_init(&finished, NULL);
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&waiting, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&lock); /* the worker is in its wait now */
    done = true;
    pthread_cond_broadcast(&finished);
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&finished);
    pthread_join(t, NULL);
    puts("finished");
    return 0;
}
