/* One thread only reads a shared setting; another reads it too and then
 * changes it. The two reads are not ordered with each other, so the cell
 * of the word keeps only one of them: the writer's own. The reader's read
 * must still be found racing with the write (ccheck keeps the reads a cell
 * drops in its read set). The reader is done before the write in time
 * every run, told by a relaxed flag that orders nothing. The twin hands
 * over with release/acquire, which orders the read before the write.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static long setting = 10;
static atomic_int reader_done;

static void *reader(void *arg)
{
    long *seen = arg;
    *seen = setting; /* ccheck-expect: data-race */
    atomic_store_explicit(&reader_done, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    long seen = 0;
    pthread_t t;
    pthread_create(&t, NULL, reader, &seen);
    while (!atomic_load_explicit(&reader_done, memory_order_relaxed))
        ;
    long old = setting;
    setting = old * 2; /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    printf("reader saw %ld, setting now %ld\n", seen, setting);
    return 0;
}
