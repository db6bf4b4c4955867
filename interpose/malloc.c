/* malloc and its family: the heap blocks of data-race detection.
 *
 * With race detection off (every program that is not instrumented) each
 * interposer is a tail call of the real function behind a test of
 * cc_race_enabled (and of the real function being known; free and realloc
 * also of the bootstrap buffer). With it on:
 *  - after an allocation succeeded, the block's shadow is cleared (memory
 *    handed out again starts clean) and the block is registered with its
 *    size and a cheap allocation stack (runtime/race/heap.c);
 *  - before a free, the free is checked as a write of the whole block, so
 *    a race with the free is found, and the clocks of the sync objects that
 *    lived in it are dropped;
 *  - realloc deallocates the old object and makes a new one (C11 7.22.3.5):
 *    the old block's part runs before the real call, since once the call
 *    returned another thread may already have been handed that memory.
 *    The free's write of the whole old block covers the read of the copy.
 *
 * Rules:
 *  - The result and errno are the real call's (malloc's ENOMEM included);
 *    the bookkeeping saves and restores errno.
 *  - Only outside runtime work: inside the guard (libunwind, dlsym, ... on
 *    behalf of the runtime) these are the real calls.
 *  - dlsym may allocate while the real allocator is being looked up (an
 *    error message; glibc before 2.34 also its per-thread dlerror state).
 *    Such allocations come from a static buffer that is never reused: free
 *    ignores pointers into it and realloc copies them out. The allocators
 *    look themselves up (REAL_READY), not through CC_REAL, so that this
 *    thread knows when it is inside that lookup.
 *  - C++ operator new and delete (sized, aligned, array) reach these
 *    through libstdc++ (malloc, aligned_alloc, free), and glibc's strdup,
 *    strndup and reallocarray call malloc and realloc through them too.
 *    strdup, strndup and operator new are interposed as well, only to give
 *    their blocks their callers' stacks (see restamp). */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interpose.h"
#include "options.h"
#include "race/history.h"
#include "stack.h"

static inline uint64_t addr_of(const void *p) { return (uint64_t)(uintptr_t)p; }

/* ---- bootstrap: allocations made from inside dlsym ------------------------ */

enum { BOOT_HEAP_SIZE = 64 << 10 };
static char boot_heap[BOOT_HEAP_SIZE] __attribute__((aligned(64)));
static size_t boot_used;
static __thread bool resolving; /* this thread is looking up an allocator */

static inline bool in_boot_heap(const void *p)
{
    return (uintptr_t)p - (uintptr_t)boot_heap < sizeof boot_heap;
}

/* Zeroed, never reused (so calloc needs no clearing). */
static void *boot_alloc(size_t size, size_t align)
{
    if (align < 16 || (align & (align - 1)))
        align = 16;
    size_t at = __atomic_load_n(&boot_used, __ATOMIC_RELAXED), start, end;
    do {
        start = (at + align - 1) & ~(align - 1);
        if (start > sizeof boot_heap || size > sizeof boot_heap - start) {
            errno = ENOMEM;
            return NULL;
        }
        end = start + (size ? size : 1);
    } while (!__atomic_compare_exchange_n(&boot_used, &at, end, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return boot_heap + start;
}

/* Looks up a real allocator function; false when this thread is already
 * looking one up (dlsym is allocating): use the bootstrap buffer then. */
static bool resolve(enum cc_real_index index)
{
    if (resolving)
        return false;
    resolving = true;
    cc_real_resolve(index);
    resolving = false;
    return true;
}

#define REAL_READY(name) (CC_LIKELY(cc_real.name != NULL) || resolve(CC_REAL_INDEX_##name))

/* ---- the race detection side ------------------------------------------------ */

/* The allocating call and the instrumented frames around it (the shadow
 * stack of __tsan_func_entry, innermost first): no unwinding on malloc. */
static uint32_t alloc_stack(const cc_thread_t *t, uint64_t pc)
{
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    uint32_t max = (uint32_t)cc_opt.stack_depth;
    if (max > CC_TRACE_MAX_FRAMES)
        max = CC_TRACE_MAX_FRAMES;
    return cc_stack_intern(pcs, cc_shadow_stack_collect(t, pc, pcs, max));
}

/* Inside the guard, after the block [addr, addr + size) was allocated;
 * the bytes from fresh_at on are new memory. */
static void register_block(cc_thread_t *t, uint64_t addr, uint64_t size, uint64_t fresh_at,
                           uint64_t pc)
{
    if (fresh_at < addr + size)
        cc_race_shadow_reset(fresh_at, addr + size - fresh_at);
    cc_race_heap_allocated(addr, size, alloc_stack(t, pc), t->tid);
}

/* Inside the guard, before the block at addr is deallocated: checks the
 * free (while the block is still registered, so that a report can name
 * it), drops the clocks of what lived in it and forgets it. Returns false
 * if the block is not known. */
static bool unregister_block(cc_thread_t *t, uint64_t addr, uint64_t pc, cc_heap_block_t *block)
{
    if (!cc_race_heap_get(addr, block))
        return false;
    cc_race_freed(t, addr, block->size, pc);
    cc_race_sync_forget_range(addr, addr + block->size);
    cc_race_heap_freed(addr);
    return true;
}

/* `stmt` with t the current thread inside the guard, if it takes part in
 * race detection. */
#define WITH_RACE_THREAD(t, stmt) CC_WITH_THREAD(t, if (t->race.active) { stmt; })

/* After an allocation of size bytes at p (NULL: it failed). Returns p. */
static void *allocated(void *p, size_t size, uint64_t pc)
{
    if (!p || !CC_RACE_ON())
        return p;
    int saved_errno = errno;
    WITH_RACE_THREAD(t, register_block(t, addr_of(p), size, addr_of(p), pc));
    errno = saved_errno;
    return p;
}

__attribute__((noinline)) static void freeing(void *p, uint64_t pc)
{
    int saved_errno = errno;
    cc_heap_block_t block;
    WITH_RACE_THREAD(t, unregister_block(t, addr_of(p), pc, &block));
    errno = saved_errno;
}

/* realloc with race detection on, p not NULL. */
__attribute__((noinline)) static void *realloc_tracked(void *p, size_t size, uint64_t pc)
{
    uint64_t old = addr_of(p);
    cc_heap_block_t block = {0};
    WITH_RACE_THREAD(t, unregister_block(t, old, pc, &block));
    void *q = cc_real.realloc(p, size);
    int saved_errno = errno;
    WITH_RACE_THREAD(t, {
        if (q == p) {
            /* Resized in place: only the grown tail is new memory. With
             * the old size unknown (allocated before race detection was
             * on), all of it is taken as new: that can hide a race, not
             * invent one. */
            register_block(t, old, size, block.size ? old + block.size : old, pc);
        } else if (q) {
            register_block(t, addr_of(q), size, addr_of(q), pc);
        } else if (size && block.size) {
            /* Failed: the old block lives on. (Its clocks are gone and the
             * write stays, as for a realloc that moved it.) */
            cc_race_heap_allocated(old, block.size, block.alloc_stack, block.alloc_tid);
        }
    });
    errno = saved_errno;
    return q;
}

/* A realloc of a block from the bootstrap buffer: it moves to the real
 * heap. Its size is not kept, so the rest of the buffer is copied too. */
static void *boot_realloc(void *p, size_t size)
{
    if (size == 0)
        return NULL; /* as glibc: the old block is freed (here: dropped) */
    void *q = malloc(size);
    if (q) {
        size_t left = sizeof boot_heap - (size_t)((char *)p - boot_heap);
        CC_REAL(memcpy)(q, p, size < left ? size : left);
    }
    return q;
}

/* ---- the interposers --------------------------------------------------------- */

/* The shape of the interposers here: with race detection off, the real
 * function known and `fast_too`, a tail call of the real function; else
 * name_slow (`slow_body`, with pc the caller), a function of its own so
 * that the fast path saves no registers. */
#define FAST_PATH(name, params, args, fast_too, slow_body)                             \
    __attribute__((noinline)) static void *name##_slow(uint64_t pc,                    \
                                                       CC_UNPAREN params)              \
        slow_body                                                                      \
    CC_EXPORT void *name params                                                        \
    {                                                                                  \
        if (CC_LIKELY(cc_real.name != NULL) && !CC_RACE_ON() && (fast_too))            \
            return cc_real.name args;                                                  \
        return name##_slow(CC_CALLER().pc, CC_UNPAREN args);                           \
    }

/* The allocators: `boot` serves before the real one is known, `size` is
 * what the program may use of the block. */
#define ALLOCATOR(name, params, args, boot, size)                                      \
    FAST_PATH(name, params, args, true, {                                              \
        if (!REAL_READY(name))                                                         \
            return (boot);                                                             \
        return allocated(cc_real.name args, (size), pc);                               \
    })

static size_t page_size(void) { return (size_t)getpagesize(); }

/* pvalloc rounds the size up to whole pages (0 to one page). */
static size_t pvalloc_size(size_t size)
{
    size_t page = page_size();
    return size ? (size + page - 1) & ~(page - 1) : page;
}

/* n * size into *bytes; false (errno ENOMEM, as glibc) if it overflows. */
static bool product(size_t n, size_t size, size_t *bytes)
{
    if (__builtin_mul_overflow(n, size, bytes)) {
        errno = ENOMEM;
        return false;
    }
    return true;
}

static void *boot_calloc(size_t n, size_t size)
{
    size_t bytes;
    return product(n, size, &bytes) ? boot_alloc(bytes, 16) : NULL;
}

ALLOCATOR(malloc, (size_t size), (size), boot_alloc(size, 16), size)
/* If n * size overflows, the result is NULL. */
ALLOCATOR(calloc, (size_t n, size_t size), (n, size), boot_calloc(n, size), n * size)
ALLOCATOR(aligned_alloc, (size_t align, size_t size), (align, size), boot_alloc(size, align),
          size)
ALLOCATOR(memalign, (size_t align, size_t size), (align, size), boot_alloc(size, align), size)
ALLOCATOR(valloc, (size_t size), (size), boot_alloc(size, page_size()), size)
ALLOCATOR(pvalloc, (size_t size), (size), boot_alloc(pvalloc_size(size), page_size()),
          pvalloc_size(size))

/* realloc, and reallocarray after its overflow check. */
FAST_PATH(realloc, (void *p, size_t size), (p, size), !in_boot_heap(p), {
    if (CC_UNLIKELY(in_boot_heap(p)))
        return boot_realloc(p, size);
    if (!REAL_READY(realloc)) {
        if (!p)
            return boot_alloc(size, 16);
        errno = ENOMEM; /* inside dlsym, a block of the real heap */
        return NULL;
    }
    if (!CC_RACE_ON())
        return cc_real.realloc(p, size);
    if (!p)
        return allocated(cc_real.realloc(NULL, size), size, pc);
    return realloc_tracked(p, size, pc);
})

/* glibc's reallocarray is this, calling realloc. */
CC_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t bytes;
    return product(n, size, &bytes) ? realloc_slow(CC_CALLER().pc, p, bytes) : NULL;
}

__attribute__((noinline)) static void free_slow(uint64_t pc, void *p)
{
    if (CC_UNLIKELY(in_boot_heap(p)))
        return;
    if (CC_RACE_ON() && p)
        freeing(p, pc);
    if (REAL_READY(free))
        cc_real.free(p);
    /* else: dlsym frees while we look up free: that block is lost. */
}

CC_EXPORT void free(void *p)
{
    if (CC_LIKELY(cc_real.free != NULL) && !CC_RACE_ON() && !in_boot_heap(p))
        return cc_real.free(p);
    free_slow(CC_CALLER().pc, p);
}

CC_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!REAL_READY(posix_memalign)) {
        *out = boot_alloc(size, align);
        return *out ? 0 : ENOMEM;
    }
    int rc = cc_real.posix_memalign(out, align, size);
    if (CC_RACE_ON() && rc == 0)
        allocated(*out, size, CC_CALLER().pc);
    return rc;
}

/* ---- functions that allocate through malloc ------------------------------- */

/* libc's strdup and libstdc++'s operator new call malloc, which registers
 * the block with its caller's pc: a pc inside that library, which says
 * nothing. The block gets the stack of the library function's caller
 * instead, keeping the size malloc registered. */
static void restamp(cc_thread_t *t, const void *p, uint64_t pc)
{
    cc_heap_block_t block;
    if (p && cc_race_heap_get(addr_of(p), &block))
        cc_race_heap_allocated(block.addr, block.size, alloc_stack(t, pc), t->tid);
}

/* strdup and strndup, race detection on: the copy is restamped, the
 * source read up to its terminator (at most n bytes), the copy written. */
__attribute__((noinline)) static char *duplicated(char *copy, const char *s, size_t n, uint64_t pc)
{
    if (!copy)
        return copy;
    int saved_errno = errno;
    uint64_t len = CC_REAL(strlen)(copy);
    WITH_RACE_THREAD(t, {
        restamp(t, copy, pc);
        cc_race_access_range(t, addr_of(s), len < n ? len + 1 : n, false, pc);
        cc_race_access_range(t, addr_of(copy), len + 1, true, pc);
    });
    errno = saved_errno;
    return copy;
}

CC_EXPORT char *strdup(const char *s)
{
    if (!CC_RACE_ON())
        return CC_REAL(strdup)(s);
    return duplicated(CC_REAL(strdup)(s), s, SIZE_MAX, CC_CALLER().pc);
}

CC_EXPORT char *strndup(const char *s, size_t n)
{
    if (!CC_RACE_ON())
        return CC_REAL(strndup)(s, n);
    return duplicated(CC_REAL(strndup)(s, n), s, n, CC_CALLER().pc);
}

/* C++ operator new, race detection on: the block is restamped. */
__attribute__((noinline)) static void *newed(void *p, uint64_t pc)
{
    int saved_errno = errno;
    WITH_RACE_THREAD(t, restamp(t, p, pc));
    errno = saved_errno;
    return p;
}

/* Every operator new (plain, array, nothrow, aligned), forwarded to the
 * C++ runtime's (found when first called: C programs have none). A
 * std::bad_alloc it throws goes through this frame untouched. Delete
 * needs nothing: it calls free. Mangled names, as the C++ ABI spells
 * them: std::nothrow_t const & is a pointer, std::align_val_t a size_t. */
#define OPERATOR_NEW(name, params, args)                                               \
    CC_EXPORT void *name params;                                                       \
    CC_EXPORT void *name params                                                        \
    {                                                                                  \
        if (!CC_RACE_ON())                                                                \
            return CC_REAL(name) args;                                                 \
        return newed(CC_REAL(name) args, CC_CALLER().pc);                              \
    }

OPERATOR_NEW(_Znwm, (size_t size), (size))
OPERATOR_NEW(_Znam, (size_t size), (size))
OPERATOR_NEW(_ZnwmRKSt9nothrow_t, (size_t size, const void *nothrow), (size, nothrow))
OPERATOR_NEW(_ZnamRKSt9nothrow_t, (size_t size, const void *nothrow), (size, nothrow))
OPERATOR_NEW(_ZnwmSt11align_val_t, (size_t size, size_t align), (size, align))
OPERATOR_NEW(_ZnamSt11align_val_t, (size_t size, size_t align), (size, align))
OPERATOR_NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, (size_t size, size_t align, const void *nothrow),
             (size, align, nothrow))
OPERATOR_NEW(_ZnamSt11align_val_tRKSt9nothrow_t, (size_t size, size_t align, const void *nothrow),
             (size, align, nothrow))
