/* Fixed twin of misuse_recursive_wrlock_bug.c: refresh() is called after
 * lookup() has given up its read lock, and takes the write lock on its own
 * (re-checking the entry, since another thread may have refilled it in
 * between). Taking the read lock again while holding it is fine: rwlocks
 * allow recursive read locks.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16];

static void refresh(int key)
{
    pthread_rwlock_wrlock(&table_lock);
    if (table[key & 15] == 0)
        table[key & 15] = key * 2;
    pthread_rwlock_unlock(&table_lock);
}

static int peek(int key)
{
    pthread_rwlock_rdlock(&table_lock); /* a second read lock: allowed */
    int value = table[key & 15];
    pthread_rwlock_unlock(&table_lock);
    return value;
}

static int lookup(int key)
{
    pthread_rwlock_rdlock(&table_lock);
    int value = table[key & 15];
    int again = peek(key);
    pthread_rwlock_unlock(&table_lock);
    if (value == 0) {
        refresh(key);
        value = peek(key);
    }
    return value + again * 0;
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
    return 0;
}
