/* The instrumentation ABI of -fsanitize=thread, plain side: memory
 * accesses, function entry and exit, __tsan_init, the vptr hooks and the
 * memory intrinsics. Atomics and fences are in tsan_atomic.c.
 *
 * gcc 12 and clang 14 emit, for C and C++ (checked with nm -u on objects
 * built with `-fsanitize=thread -c`, at -O0 and -O2, and with the options
 * that switch variants on: gcc --param tsan-distinguish-volatile=1, clang
 * -mllvm -tsan-distinguish-volatile / -tsan-compound-read-before-write):
 * __tsan_{read,write}{1,2,4,8,16}, __tsan_unaligned_{read,write}{2,4,8,16},
 * __tsan_volatile_{read,write}N, __tsan_unaligned_volatile_{read,write}N,
 * __tsan_{unaligned_,}read_writeN, __tsan_{read,write}_range,
 * __tsan_func_entry/exit, __tsan_init, __tsan_vptr_update/read,
 * __tsan_ignore_thread_begin/end. __tsan_memcpy/memset/memmove come from
 * newer clangs (clang 14 calls memcpy itself), and the _pc variants from
 * tools that instrument binaries; they are here too.
 *
 * Rules:
 *  - Each entry point is a tiny function: the inlined check of
 *    race/access.h, which loads the thread (initial-exec TLS), returns in
 *    the steady state and else tail-calls the general path (which checks
 *    whether the thread checks accesses at all). The pc is taken here, in
 *    the exported function: the return address into the instrumented code.
 *  - Every access has any alignment and sizes up to 16: gcc passes
 *    unaligned accesses (packed structs) to the plain variants too.
 *  - No errno is touched on the fast path; the report path keeps it. */
#include <stdint.h>
#include <string.h>

#include "race/access.h"
#include "race/history.h"
#include "thread.h"
#include "util.h"

#define CC_RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define CC_ADDR(p) ((uint64_t)(uintptr_t)(p))

/* ---- accesses ----------------------------------------------------------------- */

/* One entry point of `size` bytes; `write`: a write (or a read followed by
 * a write, which a write's check covers). */
#define CC_TSAN_ACCESS(name, size, write)                                                          \
    CC_EXPORT void name(void *addr);                                                               \
    CC_EXPORT void name(void *addr) { cc_race_check(CC_ADDR(addr), (size), (write), CC_RET_PC()); }

/* The same with the pc given (tools that instrument binaries). */
#define CC_TSAN_ACCESS_PC(name, size, write)                                                       \
    CC_EXPORT void name(void *addr, void *pc);                                                     \
    CC_EXPORT void name(void *addr, void *pc)                                                      \
    {                                                                                              \
        cc_race_check(CC_ADDR(addr), (size), (write), CC_ADDR(pc));                                \
    }

#define CC_TSAN_SIZES(macro, prefix, suffix, write)                                                \
    macro(prefix##1##suffix, 1, write) macro(prefix##2##suffix, 2, write)                          \
        macro(prefix##4##suffix, 4, write) macro(prefix##8##suffix, 8, write)                      \
            macro(prefix##16##suffix, 16, write)

CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_read, , false)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_read, , false)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_volatile_read, , false)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_volatile_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_volatile_read, , false)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_volatile_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_read_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_read_write, , true)
CC_TSAN_SIZES(CC_TSAN_ACCESS_PC, __tsan_read, _pc, false)
CC_TSAN_SIZES(CC_TSAN_ACCESS_PC, __tsan_write, _pc, true)

/* Ranges: the checks see whether the thread checks this kind of access. */
static inline cc_thread_t *range_thread(void)
{
    cc_thread_t *t = cc_current_thread;
    return CC_LIKELY(t != NULL && t->guard == 0 && t->race.active) ? t : NULL;
}

CC_EXPORT void __tsan_read_range(void *addr, unsigned long size);
CC_EXPORT void __tsan_read_range(void *addr, unsigned long size)
{
    cc_thread_t *t = range_thread();
    if (t)
        cc_race_access_range(t, CC_ADDR(addr), size, false, CC_RET_PC());
}

CC_EXPORT void __tsan_write_range(void *addr, unsigned long size);
CC_EXPORT void __tsan_write_range(void *addr, unsigned long size)
{
    cc_thread_t *t = range_thread();
    if (t)
        cc_race_access_range(t, CC_ADDR(addr), size, true, CC_RET_PC());
}

/* ---- function entry and exit --------------------------------------------------- */

/* Entry and exit: race/history.h (the event first, then the stack). */
CC_EXPORT void __tsan_func_entry(void *call_pc);
CC_EXPORT void __tsan_func_entry(void *call_pc)
{
    cc_thread_t *t = range_thread();
    if (CC_LIKELY(t != NULL))
        cc_history_func_entry_inline(t, CC_ADDR(call_pc));
}

CC_EXPORT void __tsan_func_exit(void);
CC_EXPORT void __tsan_func_exit(void)
{
    cc_thread_t *t = range_thread();
    if (CC_LIKELY(t != NULL))
        cc_history_func_exit_inline(t);
}

/* The constructor of every instrumented object calls it. */
CC_EXPORT void __tsan_init(void);
CC_EXPORT void __tsan_init(void)
{
    if (!__atomic_load_n(&cc_race_enabled, __ATOMIC_ACQUIRE))
        cc_race_enable();
}

/* ---- C++ vptrs ------------------------------------------------------------------ */

/* A constructor or destructor storing the vptr: a write, unless the value
 * does not change (a derived class's constructor rewriting what its base's
 * wrote is no race with a reader of the object). */
CC_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val);
CC_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val)
{
    if (*vptr_p != new_val)
        cc_race_check(CC_ADDR(vptr_p), 8, true, CC_RET_PC());
}

CC_EXPORT void __tsan_vptr_read(void **vptr_p);
CC_EXPORT void __tsan_vptr_read(void **vptr_p)
{
    cc_race_check(CC_ADDR(vptr_p), 8, false, CC_RET_PC());
}

/* ---- memory intrinsics ------------------------------------------------------------ */

/* The real operation is libc's, made inside the guard: if libccheck also
 * interposes the libc function, that interposer must not check the ranges
 * a second time. */
#define CC_TSAN_INTRINSIC(t, pc, checks, call)                                                     \
    do {                                                                                           \
        if (t) {                                                                                   \
            checks;                                                                                \
            t->guard = 1;                                                                          \
            call;                                                                                  \
            t->guard = 0;                                                                          \
        } else {                                                                                   \
            call;                                                                                  \
        }                                                                                          \
    } while (0)

CC_EXPORT void *__tsan_memcpy(void *dst, const void *src, uintptr_t size);
CC_EXPORT void *__tsan_memcpy(void *dst, const void *src, uintptr_t size)
{
    cc_thread_t *t = range_thread();
    uint64_t pc = CC_RET_PC();
    CC_TSAN_INTRINSIC(t, pc,
                      (cc_race_access_range(t, CC_ADDR(src), size, false, pc),
                       cc_race_access_range(t, CC_ADDR(dst), size, true, pc)),
                      memcpy(dst, src, size));
    return dst;
}

CC_EXPORT void *__tsan_memmove(void *dst, const void *src, uintptr_t size);
CC_EXPORT void *__tsan_memmove(void *dst, const void *src, uintptr_t size)
{
    cc_thread_t *t = range_thread();
    uint64_t pc = CC_RET_PC();
    CC_TSAN_INTRINSIC(t, pc,
                      (cc_race_access_range(t, CC_ADDR(src), size, false, pc),
                       cc_race_access_range(t, CC_ADDR(dst), size, true, pc)),
                      memmove(dst, src, size));
    return dst;
}

CC_EXPORT void *__tsan_memset(void *dst, int c, uintptr_t size);
CC_EXPORT void *__tsan_memset(void *dst, int c, uintptr_t size)
{
    cc_thread_t *t = range_thread();
    uint64_t pc = CC_RET_PC();
    CC_TSAN_INTRINSIC(t, pc, cc_race_access_range(t, CC_ADDR(dst), size, true, pc),
                      memset(dst, c, size));
    return dst;
}

/* ---- ignore regions the compiler asks for ------------------------------------------ */

/* clang brackets functions that must not be checked at run time with these.
 * Function entry and exit are still recorded, so stacks stay right. */
CC_EXPORT void __tsan_ignore_thread_begin(void);
CC_EXPORT void __tsan_ignore_thread_begin(void)
{
    cc_thread_t *t = cc_current_thread;
    if (t) {
        t->race.ignore_reads++;
        t->race.ignore_writes++;
    }
}

CC_EXPORT void __tsan_ignore_thread_end(void);
CC_EXPORT void __tsan_ignore_thread_end(void)
{
    cc_thread_t *t = cc_current_thread;
    if (t && t->race.ignore_reads > 0 && t->race.ignore_writes > 0) {
        t->race.ignore_reads--;
        t->race.ignore_writes--;
    }
}
