/* A semaphore of one permit that is not (only) a lock: besides threads that
 * wait on it and post it back, a thread that never waited posts it to wake
 * someone. Such a semaphore signals; the orders it took part in while it
 * looked like a lock mean nothing. Here the two "lock" phases alone would
 * form a cycle with `table` (worker_a takes table then gate, worker_b gate
 * then table), but the signalling post shows that `gate` is an event, not
 * a lock.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

static sem_t gate;
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static atomic_int step;
static int entries;

static void wait_step(int n)
{
    while (atomic_load_explicit(&step, memory_order_relaxed) < n)
        sched_yield();
}

static void *worker_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&table);
    sem_wait(&gate);
    entries++;
    sem_post(&gate);
    pthread_mutex_unlock(&table);
    atomic_store_explicit(&step, 1, memory_order_relaxed);
    return NULL;
}

static void *worker_b(void *arg)
{
    (void)arg;
    wait_step(1);
    sem_wait(&gate);
    pthread_mutex_lock(&table);
    entries++;
    pthread_mutex_unlock(&table);
    atomic_store_explicit(&step, 2, memory_order_relaxed);
    /* worker_b keeps the permit: the waker hands the next one out. */
    return NULL;
}

static void *waker(void *arg)
{
    (void)arg;
    wait_step(2);
    sem_post(&gate); /* a post by a thread that never waited: a signal */
    return NULL;
}

int main(void)
{
    sem_init(&gate, 0, 1);
    pthread_t a, b, w;
    pthread_create(&a, NULL, worker_a, NULL);
    pthread_create(&b, NULL, worker_b, NULL);
    pthread_create(&w, NULL, waker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_join(w, NULL);
    sem_wait(&gate);
    sem_destroy(&gate);
    printf("%d entries\n", entries);
    return entries == 2 ? 0 : 1;
}
