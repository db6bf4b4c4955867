/* Thread-local data: each thread counts in its own `__thread` variable and
 * in its own pthread_key_create slot; nothing is shared, so nothing races.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { THREADS = 4, ROUNDS = 1000 };

static __thread long calls;
static pthread_key_t scratch_key;

static void *work(void *arg)
{
    long *scratch = calloc(1, sizeof *scratch);
    pthread_setspecific(scratch_key, scratch);
    for (int i = 0; i < ROUNDS; i++) {
        calls++;
        long *mine = pthread_getspecific(scratch_key);
        *mine += i;
    }
    long total = calls + *scratch;
    free(scratch);
    *(long *)arg = total;
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    long totals[THREADS];
    pthread_key_create(&scratch_key, NULL);
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
