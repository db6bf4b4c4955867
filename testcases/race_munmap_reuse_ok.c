/* Memory mapped anew is new memory. A worker fills two mappings and says so
 * through a relaxed flag (which orders nothing); main then replaces them:
 * the first with munmap and a fresh mapping at the same address (made with
 * a raw syscall, so that only the munmap tells the runtime), the second
 * with mmap(MAP_FIXED) over the live range. Main's writes to the new
 * mappings cannot race with the worker's writes to the old ones: those
 * bytes are gone. Without the replacement, the same writes race (see
 * race_munmap_reuse_bug.c).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *first, *second;
static size_t size;
static atomic_int filled;

static void *fill(void *arg)
{
    (void)arg;
    first[0] = first[size - 1] = 1;
    second[0] = second[size - 1] = 1;
    atomic_store_explicit(&filled, 1, memory_order_relaxed);
    return NULL;
}

static char *map(void *at, int flags)
{
    return mmap(at, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

int main(void)
{
    /* Not a whole number of pages: the kernel maps and unmaps whole ones. */
    size = (size_t)sysconf(_SC_PAGESIZE) - 1;
    first = map(NULL, 0);
    second = map(NULL, 0);
    if (first == MAP_FAILED || second == MAP_FAILED)
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, fill, NULL);
    while (!atomic_load_explicit(&filled, memory_order_relaxed))
        sched_yield();

    munmap(first, size);
    void *again = (void *)syscall(SYS_mmap, first, size, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (again != first || map(second, MAP_FIXED) != second)
        return 1;
    first[0] = first[size - 1] = 2;
    second[0] = second[size - 1] = 2;

    pthread_join(t, NULL);
    printf("%d %d\n", first[0], second[0]);
    munmap(first, size);
    munmap(second, size);
    return 0;
}
