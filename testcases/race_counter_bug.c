/* Pitfall: a shared counter, `counter += 1` from several threads with no
 * lock. The increment is a read and a write; two threads can read the same
 * value and one increment is lost.
 *
 * Built with -fsanitize=thread and linked with libccheck (every race_*
 * testcase is). ccheck must report the data race at the increment.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 4, ROUNDS = 10000 };

static long counter;

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++)
        counter += 1; /* ccheck-expect: data-race */
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, count, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld of %d\n", counter, THREADS * ROUNDS);
    return 0;
}
