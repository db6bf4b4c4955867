/* Pitfall: the thread that pthread_barrier_wait picks as the serial thread
 * destroys the barrier while the others may still be on their way out of
 * the same wait. Leaving the barrier orders nothing after another thread's
 * return from it: the destroy races with the other thread's wait.
 *
 * ccheck must report the destroy racing with the wait (TSan:
 * race_on_barrier2.c).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t gate;

static void *meet(void *arg)
{
    (void)arg;
    if (pthread_barrier_wait(&gate) == PTHREAD_BARRIER_SERIAL_THREAD) /* ccheck-expect: data-race */
        pthread_barrier_destroy(&gate); /* ccheck-expect: data-race */
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&gate, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, meet, NULL);
    meet(NULL);
    pthread_join(t, NULL);
    printf("met\n");
    return 0;
}
