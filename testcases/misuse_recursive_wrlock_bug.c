/* Pitfall: a thread write-locks an rwlock it already holds. lookup() holds
 * the table's read lock and calls refresh(), which wants the write lock to
 * refill a stale entry: an "upgrade" that POSIX rwlocks do not have. With
 * pthread_rwlock_wrlock glibc waits forever for the thread's own read lock
 * to go; here refresh() uses a 100 ms deadline, so it only fails with
 * ETIMEDOUT. And a plain write lock taken twice fails with EDEADLK.
 *
 * ccheck must report recursive-wrlock at both write locks, before the
 * calls (the first would hang without its deadline), and nothing else.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16];

static int refresh(int key)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 100 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    int rc = pthread_rwlock_timedwrlock(&table_lock, &until); /* ccheck-expect: recursive-wrlock */
    if (rc != 0)
        return rc;
    table[key & 15] = key * 2;
    pthread_rwlock_unlock(&table_lock);
    return 0;
}

static int lookup(int key)
{
    pthread_rwlock_rdlock(&table_lock);
    int value = table[key & 15];
    if (value == 0 && refresh(key) != 0) /* upgrade while reading */
        printf("refresh failed\n");
    pthread_rwlock_unlock(&table_lock);
    return value;
}

static void reset_all(void)
{
    pthread_rwlock_wrlock(&table_lock);
    for (int i = 0; i < 16; i++)
        table[i] = 0;
    if (pthread_rwlock_wrlock(&table_lock) == EDEADLK) /* ccheck-expect: recursive-wrlock */
        printf("write lock taken twice\n");
    pthread_rwlock_unlock(&table_lock);
}

static void *reader(void *arg)
{
    (void)arg;
    printf("value %d\n", lookup(3));
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, reader, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    reset_all();
    return 0;
}
