/* The fixed twin of barrier_hang_bug.c: the barrier counts exactly the
 * threads that arrive (main and two workers). ccheck must report nothing. */
#include <pthread.h>
#include <stdio.h>

enum { WORKERS = 2, PARTIES = WORKERS + 1 };

static pthread_barrier_t phase_done;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&phase_done);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    pthread_barrier_init(&phase_done, NULL, PARTIES);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    pthread_barrier_wait(&phase_done);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&phase_done);
    puts("all arrived");
    return 0;
}
