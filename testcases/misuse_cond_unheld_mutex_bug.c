/* Pitfall: a condition wait by a thread that does not hold the mutex. A
 * worker that retries a flaky operation pauses between attempts with a
 * timed wait on `wakeup` (so that a shutdown could cut the pause short),
 * but never locks `lock` before the wait. pthread_cond_timedwait must be
 * called with the mutex locked: it releases it for the wait and takes it
 * back before returning. glibc unlocks a default mutex that the caller
 * does not hold anyway (had another thread held it, it would have lost it
 * in the middle of its critical section) and returns holding it; an
 * error-checking mutex would fail with EPERM at once, and the pause would
 * be no pause at all. The unlock after the wait makes this run tidy: it
 * releases what glibc took.
 *
 * ccheck must report a cond-wait-unheld-mutex at the wait, and nothing
 * else.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wakeup = PTHREAD_COND_INITIALIZER;

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
    pthread_cond_timedwait(&wakeup, &lock, &deadline); /* ccheck-expect: cond-wait-unheld-mutex */
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
