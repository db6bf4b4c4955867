/* Pitfall: a lock-order deadlock that really happens. Each thread takes its
 * first lock, waits (through a relaxed atomic the detector cannot see) until
 * the other has taken its own, then asks for the other's lock: both wait
 * forever. Without ccheck this program hangs until CI kills it.
 *
 * ccheck's watchdog must see the two threads blocked in a cycle, report a
 * `deadlock` naming the lines where each is blocked, and end the process.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t accounts = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal = PTHREAD_MUTEX_INITIALIZER;
static atomic_int holding;

static void wait_for_both(void)
{
    atomic_fetch_add_explicit(&holding, 1, memory_order_relaxed);
    while (atomic_load_explicit(&holding, memory_order_relaxed) < 2)
        sched_yield();
}

static void *post_transfer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&accounts);
    wait_for_both();
    pthread_mutex_lock(&journal); /* ccheck-expect: deadlock */
    pthread_mutex_unlock(&journal);
    pthread_mutex_unlock(&accounts);
    return NULL;
}

static void *audit(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&journal);
    wait_for_both();
    pthread_mutex_lock(&accounts); /* ccheck-expect: deadlock */
    pthread_mutex_unlock(&accounts);
    pthread_mutex_unlock(&journal);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, post_transfer, NULL);
    pthread_create(&t2, NULL, audit, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    puts("not reached");
    return 0;
}
