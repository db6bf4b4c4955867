/* The twin of race_reader_then_writer_bug.c: the reader hands over with a
 * release store and the writer waits with acquire loads, so the reader's
 * read happens before the write, although the writer's own read of the
 * word is what its shadow cell keeps. Silent.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static long setting = 10;
static atomic_int reader_done;

static void *reader(void *arg)
{
    long *seen = arg;
    *seen = setting;
    atomic_store_explicit(&reader_done, 1, memory_order_release);
    return NULL;
}

int main(void)
{
    long seen = 0;
    pthread_t t;
    pthread_create(&t, NULL, reader, &seen);
    long old = setting;
    while (!atomic_load_explicit(&reader_done, memory_order_acquire))
        ;
    setting = old * 2;
    pthread_join(t, NULL);
    printf("reader saw %ld, setting now %ld\n", seen, setting);
    return 0;
}
