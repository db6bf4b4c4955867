/* Pitfall: signalling without holding the mutex. The consumer checks the
 * flag under the mutex and finds it clear; before it gets to wait, the
 * producer sets the flag and signals without taking the mutex. Nobody waits
 * yet, the signal is lost, and the consumer waits forever. (Relaxed atomics,
 * which the detector cannot see, force that interleaving here; in real
 * programs it happens now and then.)
 *
 * ccheck must report a missed-notification saying the signal was sent
 * without the mutex, and end the hang.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static volatile int ready;
static atomic_int checked, sent;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    if (!ready) {
        atomic_store_explicit(&checked, 1, memory_order_relaxed);
        while (!atomic_load_explicit(&sent, memory_order_relaxed))
            sched_yield();
        pthread_cond_wait(&changed, &lock); /* ccheck-expect: missed-notification */
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, consumer, NULL);
    while (!atomic_load_explicit(&checked, memory_order_relaxed))
        sched_yield();
    ready = 1;
    pthread_cond_signal(&changed); /* ccheck-expect: missed-notification,signal-unlocked */
    atomic_store_explicit(&sent, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    puts("not reached");
    return 0;
}
