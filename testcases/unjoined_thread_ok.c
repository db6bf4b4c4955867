/* Fixed twin of unjoined_thread_bug.c: main joins every worker it created.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define N_WORKERS 2

static long results[N_WORKERS];

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += i * (id + 1);
    results[id] = sum;
    return NULL;
}

int main(void)
{
    pthread_t threads[N_WORKERS];
    for (int i = 0; i < N_WORKERS; i++) {
        if (pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(threads[i], NULL);
    printf("results %ld %ld\n", results[0], results[1]);
    return 0;
}
