/* Pitfall: the same lost signal, with a wait that has no deadline. The
 * worker signals "started" before main waits for it, main then waits
 * forever, and the worker waits for main's go-ahead: the program hangs.
 *
 * ccheck's watchdog must end it with a missed-notification at main's wait.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
static atomic_int signalled;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    pthread_cond_signal(&started); /* ccheck-expect: missed-notification */
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&signalled, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&signalled, memory_order_relaxed))
        sched_yield();
    pthread_join(t, NULL);
    pthread_mutex_lock(&lock);
    pthread_cond_wait(&started, &lock); /* ccheck-expect: missed-notification */
    pthread_mutex_unlock(&lock);
    puts("not reached");
    return 0;
}
