/* The fixed twin of race_counter_bug.c: the increment is made under a
 * mutex, and main reads the total after joining every thread.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 4, ROUNDS = 10000 };

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&counter_lock);
        counter += 1;
        pthread_mutex_unlock(&counter_lock);
    }
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
