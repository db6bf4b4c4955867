/* Pitfall: appending to a shared list without a lock. Two threads can read
 * the same length, write their items to the same slot, and both bump it:
 * an item is lost and the length counts one that is not there.
 *
 * ccheck must report the race on the list's length.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 2, PER_THREAD = 1000 };

static struct {
    int items[THREADS * PER_THREAD];
    int length;
} list;

static void append(int item)
{
    list.items[list.length++] = item; /* ccheck-expect: data-race */
}

static void *producer(void *arg)
{
    int base = (int)(long)arg * PER_THREAD;
    for (int i = 0; i < PER_THREAD; i++)
        append(base + i);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, producer, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("%d items of %d\n", list.length, THREADS * PER_THREAD);
    return 0;
}
