/* Fixed twin of bounded_buffer_bug.c: two condition variables, one per
 * condition. The producer waits on `not_full` and only consumers signal
 * it; consumers wait on `not_empty` and only the producer signals it, so
 * every signal reaches a thread whose condition it made true. (The same
 * buffer and the same sequencing: both consumers wait before the batch
 * comes. thread_pool_ok.c has a queue of several slots built the same way.)
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

enum { CONSUMERS = 2, ITEMS = 6, STOP = -1 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
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
            pthread_cond_wait(&not_full, &lock);
        slot = items[i];
        full = true;
        pthread_cond_signal(&not_empty);
    }
    pthread_mutex_unlock(&lock);
}

static int take(void)
{
    pthread_mutex_lock(&lock);
    while (!full) {
        atomic_fetch_add_explicit(&consumer_waits, 1, memory_order_relaxed);
        pthread_cond_wait(&not_empty, &lock);
    }
    int item = slot;
    full = false;
    pthread_cond_signal(&not_full);
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
