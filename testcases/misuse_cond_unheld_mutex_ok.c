/* Fixed twin of misuse_cond_unheld_mutex_bug.c: the pause locks the mutex
 * before the timed wait and checks the shutdown flag it protects, so a
 * shutdown would cut the pause short, and the wait releases only a mutex
 * the thread holds.
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wakeup = PTHREAD_COND_INITIALIZER;
static int shutting_down;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

static void pause_ms(long ms)
{
    struct timespec deadline = in_ms(ms);
    pthread_mutex_lock(&lock);
    while (!shutting_down)
        if (pthread_cond_timedwait(&wakeup, &lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&lock);
}

static int attempt(int n) { return n == 3; } /* succeeds on the third try */

static void *worker(void *arg)
{
    int *tries = arg;
    for (*tries = 1; !attempt(*tries); ++*tries)
        pause_ms(10);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int tries = 0;
    pthread_create(&t, NULL, worker, &tries);
    pthread_join(t, NULL);
    printf("succeeded after %d tries\n", tries);
    return 0;
}
