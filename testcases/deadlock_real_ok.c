/* The fixed twin of deadlock_real_bug.c: both threads take `accounts` before
 * `journal`, so whichever comes second waits for the first to finish and
 * nothing hangs. ccheck must report nothing. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t accounts = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t journal = PTHREAD_MUTEX_INITIALIZER;
static long entries;

static void *post(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&accounts);
        pthread_mutex_lock(&journal);
        entries++;
        pthread_mutex_unlock(&journal);
        pthread_mutex_unlock(&accounts);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, post, NULL);
    pthread_create(&t2, NULL, post, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("%ld entries\n", entries);
    return entries == 2000 ? 0 : 1;
}
