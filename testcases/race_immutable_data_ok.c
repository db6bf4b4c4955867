/* Fixed twin of race_immutable_data_bug.c: the table of exchange rates is
 * complete, correction included, before the first worker is created, and
 * nobody writes it while workers run. Everything main wrote before
 * pthread_create happens before everything the new thread does, so the
 * workers may read the table with no lock at all. (The same sequencing:
 * main waits until every worker has used the table, then joins them.)
 *
 * ccheck must report nothing.
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
    return amount * rates[to] / rates[from];
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
    rates[3] = 149.8; /* the correction, before any reader exists */
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    while (atomic_load_explicit(&converted, memory_order_relaxed) < WORKERS)
        sched_yield();
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < WORKERS; i++)
        printf("100 of currency %d: %.2f in all currencies\n", i, totals[i]);
    return 0;
}
