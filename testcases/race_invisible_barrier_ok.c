/* The twin of race_invisible_barrier_bug.c: the same order made with a
 * pthread barrier, which orders the first thread's write before main's. No
 * finding.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t visible;
static long value;

static void *first(void *arg)
{
    (void)arg;
    value = 1;
    pthread_barrier_wait(&visible);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&visible, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, first, NULL);
    pthread_barrier_wait(&visible);
    value = 2;
    pthread_join(t, NULL);
    pthread_barrier_destroy(&visible);
    printf("value %ld\n", value);
    return 0;
}
