/* Pitfall: a producer/consumer that waits with `if` instead of `while`.
 *
 * One slot, two producers and one consumer. The consumer takes an item and
 * broadcasts "not full" while both producers wait there, the slot being
 * full. Both wake for the one free slot: the first fills it, and the second,
 * which does not look at the predicate again, overwrites that item. The
 * consumer was promised four items and waits for a wakeup for the fourth
 * that never comes: the program hangs.
 *
 * ccheck's watchdog must end it with a `hang` that shows the consumer
 * waiting for "not empty" and main joining it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

enum { ITEMS = 4 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int slot;
static bool full;

/* Sequencing only, invisible to the detector. Each is bumped under `lock`:
 * right before a wait (whoever takes `lock` next knows that the waiter is
 * waiting), right after one, or when an item is taken. */
static atomic_int not_empty_waits, not_full_waits, not_full_wakeups, taken;

static void wait_until(atomic_int *counter, int n)
{
    while (atomic_load_explicit(counter, memory_order_relaxed) < n)
        sched_yield();
}

static void put(int item)
{
    pthread_mutex_lock(&lock);
    if (full) { /* the bug: woken with the slot full again, it does not wait */
        atomic_fetch_add_explicit(&not_full_waits, 1, memory_order_relaxed);
        pthread_cond_wait(&not_full, &lock);
        atomic_fetch_add_explicit(&not_full_wakeups, 1, memory_order_relaxed);
    }
    slot = item;
    full = true;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static int take(void)
{
    pthread_mutex_lock(&lock);
    while (!full) {
        atomic_fetch_add_explicit(&not_empty_waits, 1, memory_order_relaxed);
        pthread_cond_wait(&not_empty, &lock); /* ccheck-expect: hang */
    }
    int item = slot;
    full = false;
    pthread_cond_broadcast(&not_full);
    atomic_fetch_add_explicit(&taken, 1, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
    return item;
}

static void *producer(void *arg)
{
    put((int)(long)arg);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    long sum = take();
    wait_until(&not_full_waits, 2); /* both producers wait for the slot */
    sum += take();
    wait_until(&not_full_wakeups, 2); /* and both woke up */
    for (int i = 2; i < ITEMS; i++)
        sum += take();
    printf("sum %ld\n", sum);
    return NULL;
}

int main(void)
{
    pthread_t c, p[2];
    pthread_create(&c, NULL, consumer, NULL);
    wait_until(&not_empty_waits, 1);
    put(1);
    wait_until(&taken, 1);
    put(2); /* the slot stays full: the consumer is not taking yet */
    pthread_create(&p[0], NULL, producer, (void *)3L);
    pthread_create(&p[1], NULL, producer, (void *)4L);
    pthread_join(p[0], NULL);
    pthread_join(p[1], NULL);
    pthread_join(c, NULL); /* ccheck-expect: hang */
    return 0;
}
