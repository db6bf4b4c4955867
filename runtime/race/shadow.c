/* The shadow map (see shadow.h): the directory, chunks mapped on first
 * touch, and resetting the shadow of memory that is handed out anew.
 *
 * Rules: no lock anywhere. The directory and each chunk are installed with
 * one CAS; the thread that loses unmaps its copy. Mappings are lazily
 * backed (MAP_NORESERVE), so untouched shadow costs address space only.
 * Syscalls keep errno. */
#include "shadow.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Exported for libccheck-tsan.a (interpose/tsan_access.c). */
CC_EXPORT cc_shadow_cell_t **cc_shadow_dir;

enum {
    CHUNK_BYTES = CC_SHADOW_CHUNK_CELLS * sizeof(cc_shadow_cell_t), /* 8 MiB */
    PAGE = 4096,
    /* Below this many bytes of shadow a reset clears with memset; above, it
     * gives whole pages back (a new thread's 8 MiB stack is 16 MiB of
     * shadow: madvise costs only the pages that were touched). */
    MEMSET_LIMIT = 4 * PAGE,
};

static void unmap(void *p, size_t size)
{
    int saved_errno = errno;
    syscall(SYS_munmap, p, size);
    errno = saved_errno;
}

/* Installs a fresh mapping of `size` at *slot unless another thread did;
 * returns what *slot holds afterwards. */
static void *install(void **slot, size_t size)
{
    void *fresh = cc_map(size);
    void *expected = NULL;
    if (__atomic_compare_exchange_n(slot, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return fresh;
    unmap(fresh, size);
    return expected;
}

void cc_shadow_init(void)
{
    if (!__atomic_load_n(&cc_shadow_dir, __ATOMIC_ACQUIRE))
        install((void **)&cc_shadow_dir, CC_SHADOW_DIR_ENTRIES * sizeof(cc_shadow_cell_t *));
}

cc_shadow_cell_t *cc_shadow_cell_slow(uint64_t addr)
{
    cc_shadow_cell_t **entry = &cc_shadow_dir[addr >> CC_SHADOW_CHUNK_BITS];
    cc_shadow_cell_t *chunk = __atomic_load_n(entry, __ATOMIC_ACQUIRE);
    if (!chunk)
        chunk = install((void **)entry, CHUNK_BYTES);
    return chunk + ((addr >> 3) & (CC_SHADOW_CHUNK_CELLS - 1));
}

cc_shadow_cell_t *cc_shadow_cell_if_mapped(uint64_t addr)
{
    cc_shadow_cell_t **dir = __atomic_load_n(&cc_shadow_dir, __ATOMIC_ACQUIRE);
    if (!dir || addr >> CC_SHADOW_ADDR_BITS)
        return NULL;
    cc_shadow_cell_t *chunk = __atomic_load_n(&dir[addr >> CC_SHADOW_CHUNK_BITS], __ATOMIC_ACQUIRE);
    return chunk ? chunk + ((addr >> 3) & (CC_SHADOW_CHUNK_CELLS - 1)) : NULL;
}

/* Clears the cells [from, to) of one chunk. */
static void clear_cells(cc_shadow_cell_t *from, cc_shadow_cell_t *to)
{
    uintptr_t lo = (uintptr_t)from, hi = (uintptr_t)to;
    if (hi - lo < MEMSET_LIMIT) {
        memset(from, 0, hi - lo);
        return;
    }
    uintptr_t page_lo = (lo + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    uintptr_t page_hi = hi & ~(uintptr_t)(PAGE - 1);
    memset(from, 0, page_lo - lo);
    memset((void *)page_hi, 0, hi - page_hi);
    int saved_errno = errno;
    /* Private anonymous pages read as zeros once given back. */
    if (syscall(SYS_madvise, page_lo, page_hi - page_lo, MADV_DONTNEED) != 0)
        memset((void *)page_lo, 0, page_hi - page_lo);
    errno = saved_errno;
}

void cc_race_shadow_reset(uint64_t addr, uint64_t size)
{
    if (size == 0 || !__atomic_load_n(&cc_shadow_dir, __ATOMIC_ACQUIRE))
        return; /* no shadow yet: nothing to clear */
    uint64_t end = addr + size;
    if (end < addr || end > (UINT64_C(1) << CC_SHADOW_ADDR_BITS))
        end = UINT64_C(1) << CC_SHADOW_ADDR_BITS;
    /* Whole words: a word the range shares with a neighbour is cleared
     * too, which can hide a race on the neighbour, never invent one. */
    uint64_t word = addr & ~UINT64_C(7);
    while (word < end) {
        uint64_t chunk_end = (word | ((UINT64_C(1) << CC_SHADOW_CHUNK_BITS) - 1)) + 1;
        uint64_t stop = end < chunk_end ? end : chunk_end;
        cc_shadow_cell_t *first = cc_shadow_cell_if_mapped(word);
        if (first)
            clear_cells(first, first + ((stop - word + 7) >> 3));
        word = chunk_end;
    }
}
