/* Pitfall: per-thread scratch data that is not per thread. The counter was
 * meant to be thread-local but is a plain static, so every thread counts
 * in the same variable.
 *
 * ccheck must report the race on the counter.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 4, ROUNDS = 1000 };

static long calls; /* should be `static __thread long calls;` */

static void *work(void *arg)
{
    for (int i = 0; i < ROUNDS; i++)
        calls++; /* ccheck-expect: data-race */
    *(long *)arg = calls;
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    long totals[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, work, &totals[i]);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        sum += totals[i];
    }
    printf("sum %ld\n", sum);
    return 0;
}
