/* The fixed twin of race_rdlock_write_bug.c: lookups that update the
 * statistics take the write lock; the table itself is still read under
 * read locks elsewhere, concurrently, which is no race.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 2, LOOKUPS = 2000 };

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16];
static long lookups;

static int peek(int key)
{
    pthread_rwlock_rdlock(&table_lock);
    int value = table[key % 16];
    pthread_rwlock_unlock(&table_lock);
    return value;
}

static int lookup(int key)
{
    pthread_rwlock_wrlock(&table_lock);
    int value = table[key % 16];
    lookups++;
    pthread_rwlock_unlock(&table_lock);
    return value;
}

static void *reader(void *arg)
{
    long sum = 0;
    for (int i = 0; i < LOOKUPS; i++)
        sum += peek(i) + lookup(i + (int)(long)arg);
    return (void *)sum;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, reader, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("%ld lookups\n", lookups);
    return 0;
}
