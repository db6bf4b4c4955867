/* Pitfall: a bounded buffer with one condition variable for two conditions.
 * Producers wait on `changed` for "not full" and consumers on the same
 * `changed` for "not empty", and each side wakes the other with
 * pthread_cond_signal, which wakes one waiter, any of them. When the waiter
 * woken is of the wrong kind (a consumer woken by a consumer), it finds its
 * condition still false and waits again, and the wakeup the producer
 * needed is gone: everybody waits. Both waits are correct `while` loops;
 * the predicate cannot help when the right thread is never woken.
 *
 * The schedule is forced: both consumers wait for an item; the producer
 * puts a batch of items into the one-slot buffer, holding the mutex, so it
 * fills the slot, signals (consumer X wakes), and waits for room. X takes
 * the item and signals: glibc wakes the oldest waiter, consumer Y, not the
 * producer. Y finds the slot empty and waits again, X comes back for more
 * and waits too. (The consumers' first waits are sequenced through a
 * relaxed atomic the detector cannot see.)
 *
 * ccheck's watchdog must report a `hang` with the consumers and the
 * producer waiting on `changed`, and end the process.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

enum { CONSUMERS = 2, ITEMS = 6, STOP = -1 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER; /* the bug: one for both */
static int slot;
static bool full;

static pthread_mutex_t sum_lock = PTHREAD_MUTEX_INITIALIZER;
static long sum;

/* Sequencing only, relaxed: consumer waits begun, bumped under `lock`
 * right before the wait (whoever takes `lock` next finds them waiting). */
static atomic_int consumer_waits;

static void put_batch(const int *items, int n)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n; i++) {
        while (full)
            pthread_cond_wait(&changed, &lock); /* ccheck-expect: hang */
        slot = items[i];
        full = true;
        pthread_cond_signal(&changed);
    }
    pthread_mutex_unlock(&lock);
}

static int take(void)
{
    pthread_mutex_lock(&lock);
    while (!full) {
        atomic_fetch_add_explicit(&consumer_waits, 1, memory_order_relaxed);
        pthread_cond_wait(&changed, &lock); /* ccheck-expect: hang */
    }
    int item = slot;
    full = false;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return item;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (int item; (item = take()) != STOP;) {
        pthread_mutex_lock(&sum_lock);
        sum += item;
        pthread_mutex_unlock(&sum_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t c[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++)
        pthread_create(&c[i], NULL, consumer, NULL);
    while (atomic_load_explicit(&consumer_waits, memory_order_relaxed) < CONSUMERS)
        sched_yield();
    int batch[ITEMS + CONSUMERS];
    for (int i = 0; i < ITEMS; i++)
        batch[i] = i + 1;
    for (int i = 0; i < CONSUMERS; i++)
        batch[ITEMS + i] = STOP;
    put_batch(batch, ITEMS + CONSUMERS);
    for (int i = 0; i < CONSUMERS; i++)
        pthread_join(c[i], NULL);
    printf("sum %ld (%s)\n", sum, sum == ITEMS * (ITEMS + 1) / 2 ? "right" : "WRONG");
    return sum == ITEMS * (ITEMS + 1) / 2 ? 0 : 1;
}
