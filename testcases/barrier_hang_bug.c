/* Pitfall: a barrier short of one party. It is set up for four threads but
 * only three ever arrive (main and two workers), so all of them wait at it
 * forever.
 *
 * ccheck's watchdog must report a `hang` (every thread blocked, none able
 * to wake another) with each thread's place at the barrier, and end the
 * process.
 */
#include <pthread.h>
#include <stdio.h>

enum { PARTIES = 4, WORKERS = 2 };

static pthread_barrier_t phase_done;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&phase_done); /* ccheck-expect: hang */
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    pthread_barrier_init(&phase_done, NULL, PARTIES);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    pthread_barrier_wait(&phase_done); /* ccheck-expect: hang */
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    puts("not reached");
    return 0;
}
