/* Pitfall: a result written outside the mutex of the condition variable
 * that announces it. The worker sets `ready` and signals under the mutex,
 * but stores the result after unlocking; main, woken, reads the result
 * with nothing ordering the two.
 *
 * ccheck must report the race on the result.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool ready;
static long result;
static atomic_int stored; /* sequencing only: a relaxed flag orders nothing */

static void *work(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    ready = true;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    result = 6 * 7; /* ccheck-expect: data-race */
    atomic_store_explicit(&stored, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    while (!atomic_load_explicit(&stored, memory_order_relaxed))
        sched_yield();
    printf("result %ld\n", result); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    return 0;
}
