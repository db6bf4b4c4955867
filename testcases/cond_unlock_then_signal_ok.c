/* Signalling right after the unlock: a work queue whose producer changes
 * the queue under the mutex, unlocks, and only then signals (so that the
 * woken consumer does not have to wait for the mutex), and whose shutdown
 * sets its flag under the mutex and then broadcasts without it, as zstd's
 * thread pool does. Legal and correct: the condition only changes under
 * the mutex, so a consumer between its check and its wait cannot miss it.
 * (The consumer waits with a deadline, in a predicate loop.)
 *
 * ccheck must report nothing (signal-unlocked is for a signaller that does
 * not take the mutex at all).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int queued, stopping, consumed;

static void *consumer(void *arg)
{
    (void)arg;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!queued && !stopping)
            if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT)
                break;
        if (!queued)
            break;
        queued--;
        consumed++;
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, consumer, NULL);
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&lock);
        queued++;
        pthread_mutex_unlock(&lock);
        pthread_cond_signal(&changed);
    }
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_mutex_unlock(&lock);
    pthread_cond_broadcast(&changed);
    pthread_join(t, NULL);
    printf("consumed %d\n", consumed);
    return consumed == 100 ? 0 : 1;
}
