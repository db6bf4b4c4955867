/* The fixed twin of missed_signal_hang_bug.c: "started" is a flag under the
 * mutex, and main waits only while it is not set. ccheck must report
 * nothing. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started_cond = PTHREAD_COND_INITIALIZER;
static int started;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    started = 1;
    pthread_cond_signal(&started_cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&lock);
    while (!started)
        pthread_cond_wait(&started_cond, &lock);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    puts("started");
    return 0;
}
