/* Pitfall: "immutable" shared data that is changed after the threads that
 * read it were started. A table of exchange rates is built before the
 * workers are created, and read-only sharing of it would need no lock: but
 * main then applies a late correction to one rate while the workers are
 * converting with it. Creating a thread orders only what came before the
 * pthread_create; the correction races with the workers' reads.
 *
 * Here main makes the correction once every worker has used the table
 * (through a relaxed atomic the detector cannot see), so the run is the
 * same every time.
 *
 * ccheck must report the race between the correction and the reads.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

enum { WORKERS = 3, CURRENCIES = 4 };

static double rates[CURRENCIES]; /* per unit of currency 0 */
static double totals[WORKERS];   /* each worker's own slot */
static atomic_int converted;     /* sequencing only, relaxed */

static double convert(double amount, int from, int to)
{
    return amount * rates[to] / rates[from]; /* ccheck-expect: data-race */
}

static void *worker(void *arg)
{
    int me = (int)(long)arg;
    for (int to = 0; to < CURRENCIES; to++)
        totals[me] += convert(100.0, me, to);
    atomic_fetch_add_explicit(&converted, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    static const double initial[CURRENCIES] = {1.0, 0.92, 0.79, 151.6};
    for (int i = 0; i < CURRENCIES; i++)
        rates[i] = initial[i];
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    while (atomic_load_explicit(&converted, memory_order_relaxed) < WORKERS)
        sched_yield();
    rates[3] = 149.8; /* ccheck-expect: data-race */
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < WORKERS; i++)
        printf("100 of currency %d: %.2f in all currencies\n", i, totals[i]);
    return 0;
}
