/* Pitfall: a write under a read lock. Readers share an rwlock, so two
 * threads that both "update the statistics" under the read lock write the
 * same field at once.
 *
 * ccheck must report the data race on the field written.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 2, LOOKUPS = 2000 };

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static int table[16];
static long lookups; /* statistics, "updated while we are in there anyway" */

static int lookup(int key)
{
    pthread_rwlock_rdlock(&table_lock);
    int value = table[key % 16];
    lookups++; /* ccheck-expect: data-race */
    pthread_rwlock_unlock(&table_lock);
    return value;
}

static void *reader(void *arg)
{
    long sum = 0;
    for (int i = 0; i < LOOKUPS; i++)
        sum += lookup(i + (int)(long)arg);
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
