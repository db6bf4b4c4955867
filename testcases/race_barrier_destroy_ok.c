/* The fixed twin of race_barrier_destroy_bug.c: main destroys the barrier
 * after it has joined the other thread, so both waits happen before the
 * destroy.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t gate;

static void *meet(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&gate);
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&gate, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, meet, NULL);
    meet(NULL);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&gate);
    printf("met\n");
    return 0;
}
