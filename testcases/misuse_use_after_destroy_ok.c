/* Fixed twin of misuse_use_after_destroy_bug.c: teardown joins the worker
 * before it destroys the mutex. It also shows the uses of a destroyed lock
 * that are legal and that ccheck does not report: initialising it again
 * with pthread_mutex_init, and assigning a static initializer to a
 * destroyed mutex or rwlock (a new lock as far as ccheck is concerned).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats_lock;
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static long updates;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&stats_lock);
        updates++;
        pthread_mutex_unlock(&stats_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_mutex_init(&stats_lock, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    pthread_mutex_destroy(&stats_lock);

    /* Initialised again: a new mutex. */
    pthread_mutex_init(&stats_lock, NULL);
    pthread_mutex_lock(&stats_lock);
    updates++;
    pthread_mutex_unlock(&stats_lock);
    pthread_mutex_destroy(&stats_lock);

    /* A static initializer assigned after destroy: a new mutex too. */
    stats_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&stats_lock);
    updates++;
    pthread_mutex_unlock(&stats_lock);

    pthread_rwlock_rdlock(&table_lock);
    pthread_rwlock_unlock(&table_lock);
    pthread_rwlock_destroy(&table_lock);
    table_lock = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
    pthread_rwlock_wrlock(&table_lock);
    updates++;
    pthread_rwlock_unlock(&table_lock);

    printf("%ld updates\n", updates);
    return 0;
}
