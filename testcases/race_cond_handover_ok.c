/* Results handed over through a condition variable: the worker stores its
 * result and sets `ready` under the mutex, then signals; main waits in a
 * loop under the same mutex and reads the result after it sees `ready`.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool ready;
static long result;

static void *work(void *arg)
{
    (void)arg;
    long value = 6 * 7;
    pthread_mutex_lock(&lock);
    result = value;
    ready = true;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&changed, &lock);
    long value = result;
    pthread_mutex_unlock(&lock);
    printf("result %ld\n", value);
    pthread_join(t, NULL);
    return 0;
}
