/* The instrumentation ABI of -fsanitize=thread, the side that stays in
 * libccheck.so: range accesses, __tsan_init, the memory intrinsics and the
 * ignore regions. The per-access entry points, function entry and exit
 * and the vptr hooks are in tsan_access.c; atomics and fences in
 * tsan_atomic.c.
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
 * Rule: no errno is touched on the fast paths; the report path keeps it. */
#include <stdint.h>
#include <string.h>

#include "race/access.h"
#include "thread.h"
#include "util.h"

/* ---- ranges -------------------------------------------------------------------- */

/* A range entry point: `params` declare addr and size (and pc, for the _pc
 * variants of tools that instrument binaries). */
#define CC_TSAN_RANGE(name, write, params, pc)                                                    \
    CC_EXPORT void name params;                                                                    \
    CC_EXPORT void name params                                                                     \
    {                                                                                              \
        cc_thread_t *t = cc_race_checking_thread();                                                \
        if (t)                                                                                     \
            cc_race_access_range(t, CC_ADDR(addr), size, (write), (pc));                           \
    }

CC_TSAN_RANGE(__tsan_read_range, false, (void *addr, unsigned long size), CC_RET_PC())
CC_TSAN_RANGE(__tsan_write_range, true, (void *addr, unsigned long size), CC_RET_PC())
CC_TSAN_RANGE(__tsan_read_range_pc, false, (void *addr, unsigned long size, void *pc), CC_ADDR(pc))
CC_TSAN_RANGE(__tsan_write_range_pc, true, (void *addr, unsigned long size, void *pc), CC_ADDR(pc))

/* ---- initialisation ---------------------------------------------------------------- */

/* See race.h: what libccheck-tsan.a checks it was built for. */
CC_EXPORT const int cc_race_abi_check = 1;

/* The constructor of every instrumented object calls it. */
CC_EXPORT void __tsan_init(void);
CC_EXPORT void __tsan_init(void)
{
    if (!cc_race_on())
        cc_race_enable();
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
    cc_thread_t *t = cc_race_checking_thread();
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
    cc_thread_t *t = cc_race_checking_thread();
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
    cc_thread_t *t = cc_race_checking_thread();
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
