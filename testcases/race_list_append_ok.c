/* The fixed twin of race_list_append_bug.c: every append runs under the
 * list's mutex.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 2, PER_THREAD = 1000 };

static struct {
    pthread_mutex_t lock;
    int items[THREADS * PER_THREAD];
    int length;
} list = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static void append(int item)
{
    pthread_mutex_lock(&list.lock);
    list.items[list.length++] = item;
    pthread_mutex_unlock(&list.lock);
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
