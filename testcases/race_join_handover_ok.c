/* Results handed over by join: each worker fills its own slot of `results`,
 * and main reads them only after joining the worker (a thread's end
 * happens before the join that waits for it returns).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

enum { WORKERS = 4 };

static long results[WORKERS];

static void *work(void *arg)
{
    long i = (long)arg;
    results[i] = i * i;
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    long sum = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(t[i], NULL);
        sum += results[i];
    }
    printf("sum %ld\n", sum);
    return 0;
}
