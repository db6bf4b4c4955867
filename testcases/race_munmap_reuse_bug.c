/* The control of race_munmap_reuse_ok.c: the same program without the new
 * mappings. Main reuses the worker's memory in place, and the relaxed flag
 * orders nothing, so main's writes race with the worker's.
 *
 * ccheck must report both races: the shadow that munmap and mmap clear
 * in the twin holds the worker's writes.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static char *first, *second;
static size_t size;
static atomic_int filled;

static void *fill(void *arg)
{
    (void)arg;
    first[0] = first[size - 1] = 1; /* ccheck-expect: data-race */
    second[0] = second[size - 1] = 1; /* ccheck-expect: data-race */
    atomic_store_explicit(&filled, 1, memory_order_relaxed);
    return NULL;
}

static char *map(void *at, int flags)
{
    return mmap(at, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

int main(void)
{
    size = (size_t)sysconf(_SC_PAGESIZE) - 1;
    first = map(NULL, 0);
    second = map(NULL, 0);
    if (first == MAP_FAILED || second == MAP_FAILED)
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, fill, NULL);
    while (!atomic_load_explicit(&filled, memory_order_relaxed))
        sched_yield();

    first[0] = first[size - 1] = 2; /* ccheck-expect: data-race */
    second[0] = second[size - 1] = 2; /* ccheck-expect: data-race */

    pthread_join(t, NULL);
    printf("%d %d\n", first[0], second[0]);
    munmap(first, size);
    munmap(second, size);
    return 0;
}
