/* The fixed twin of race_mutex_destroy_bug.c: main learns that the worker
 * is done under the mutex itself, so the worker's unlock happens before
 * main's last lock, and that before the destroy. (Joining the worker before
 * the destroy would do too.)
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock;
static long total;
static bool finished;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    total += 1;
    finished = true;
    pthread_mutex_unlock(&lock);
    return NULL;
}

static bool worker_finished(void)
{
    pthread_mutex_lock(&lock);
    bool done = finished;
    pthread_mutex_unlock(&lock);
    return done;
}

int main(void)
{
    pthread_mutex_init(&lock, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!worker_finished())
        sched_yield();
    pthread_mutex_destroy(&lock);
    pthread_join(t, NULL);
    printf("total %ld\n", total);
    return 0;
}
