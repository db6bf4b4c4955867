/* signal_unlocked_bug.c with the check turned off: signal_unlocked=0 (for
 * a program that signals without the mutex by design, knowing that its
 * condition cannot change between a waiter's check and its wait). The
 * signal without the mutex is not reported.
 *
 * ccheck-options: signal_unlocked=0
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t loaded = PTHREAD_COND_INITIALIZER;
static atomic_int done, waiting, go;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static void *consumer(void *arg)
{
    (void)arg;
    struct timespec deadline = in_ms(5000);
    pthread_mutex_lock(&lock);
    atomic_store_explicit(&waiting, 1, memory_order_relaxed);
    while (!atomic_load(&done))
        if (pthread_cond_timedwait(&loaded, &lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&lock);
    puts(atomic_load(&done) ? "loaded" : "gave up");
    return NULL;
}

static void *loader(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&go, memory_order_relaxed))
        sched_yield();
    atomic_store(&done, 1);
    pthread_cond_signal(&loaded);
    return NULL;
}

int main(void)
{
    pthread_t c, l;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&l, NULL, loader, NULL);
    /* The consumer set `waiting` holding the lock; once main gets the lock,
     * the consumer's wait has released it: it waits. Then the loader goes. */
    while (!atomic_load_explicit(&waiting, memory_order_relaxed))
        sched_yield();
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    atomic_store_explicit(&go, 1, memory_order_relaxed);
    pthread_join(l, NULL);
    pthread_join(c, NULL);
    return 0;
}
