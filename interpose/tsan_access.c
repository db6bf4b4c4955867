/* The hot entry points of the -fsanitize=thread ABI: one per memory
 * access (plain, unaligned, volatile, read-write, _pc), function entry and
 * exit, and the vptr hooks. The rest of the ABI is in tsan.c and
 * tsan_atomic.c.
 *
 * This file is built twice: into libccheck.so, and alone into
 * libccheck-tsan.a, which the README's recipe, pkg-config and
 * find_package(ccheck) link into the instrumented program ahead of
 * libccheck.so. There the calls are direct: no PLT, the way to the shadow
 * is a pc-relative load (`shadow` below), and the thread's view (race.h)
 * one load at a constant offset from %fs. Instrumented
 * accesses are the whole cost of an instrumented program, and an indirect
 * jump plus a GOT load per access cost as much as the check itself. Both
 * copies work on the same state, the runtime's in libccheck.so, so a
 * program linked with -lccheck alone also works, and a shared library
 * instrumented on its own can bind to either copy.
 *
 * The archive reads the runtime's thread and shadow layout through the
 * headers it was built with; cc_race_abi_check below names the version in
 * a symbol, so an archive from another build fails to link or load rather
 * than misreading memory.
 *
 * Rules:
 *  - Each entry point is a tiny function: the inlined check of
 *    race/access.h, which reads this module's view of the thread, returns in
 *    the steady state and else tail-calls the general path of its size and
 *    kind (which checks whether the thread checks accesses at all). The pc
 *    is the return address into the instrumented code, which the general
 *    path takes itself (CC_TSAN_PC).
 *  - Every access has any alignment and sizes up to 16: gcc passes
 *    unaligned accesses (packed structs) to the plain variants too.
 *  - No errno is touched on the fast path; the report path keeps it. */
#include <stdint.h>

#include "race/access.h"
#include "race/history.h"
#include "thread.h"
#include "util.h"

/* This module's way to the runtime's shadow (race/access.h): no directory
 * until the general path finds the runtime's made (it never moves). */
static cc_shadow_cell_t *no_dir[1];
static cc_race_shadow_ref_t shadow = CC_RACE_SHADOW_REF_NONE(no_dir);

/* This module's view of the current thread (race.h). Initial-exec, which
 * the linker turns into a constant offset from %fs in a program. */
static __thread cc_race_view_t view __attribute__((tls_model("initial-exec")));

/* The pc an entry point hands the general path: none (0), when it is
 * built with optimization. Then the entry point ends in a tail call to it
 * (a jump), so the general path's own return address is the access's pc,
 * and the steady state does not load it. Without optimization there is no
 * tail call, and the entry point passes its return address. */
#ifdef __OPTIMIZE__
#define CC_TSAN_PC() UINT64_C(0)
#else
#define CC_TSAN_PC() CC_RET_PC()
#endif

/* The general path from this module (race/access.h), pc 0 meaning the
 * return address (CC_TSAN_PC). It also takes the shadow directory once
 * there is one, and the version check rides on that. */
static inline __attribute__((always_inline)) void general_path(cc_race_view_t *v, uint64_t addr,
                                                               uint64_t size, bool write,
                                                               uint64_t pc)
{
    if (pc == 0)
        pc = CC_RET_PC();
    if (CC_UNLIKELY(shadow.dir == no_dir) && cc_race_abi_check != 0) {
        cc_shadow_cell_t **dir = __atomic_load_n(&cc_shadow_dir, __ATOMIC_ACQUIRE);
        if (dir)
            cc_race_shadow_ref_set(&shadow, dir);
    }
    cc_race_off_steady(v, &shadow, addr, size, write, pc);
}

/* The general path of the accesses of one size and kind (write: 0 or 1),
 * out of line, with both constant: that halves the instructions of a
 * first touch (the registers suffice, and nothing is saved), and the
 * first touch after each release is the commonest way off the steady
 * state. The entry points of that size and kind share it. */
#define CC_TSAN_GENERAL(size, write)                                                               \
    __attribute__((noinline)) static void general_##size##_##write(                                \
        cc_race_view_t *v, uint64_t addr, uint64_t size_again, bool write_again, uint64_t pc)      \
    {                                                                                              \
        (void)size_again, (void)write_again;                                                       \
        general_path(v, addr, (size), (write), pc);                                                \
    }

#define CC_TSAN_SIZES(macro, prefix, suffix, write)                                                \
    macro(prefix##1##suffix, 1, write) macro(prefix##2##suffix, 2, write)                          \
        macro(prefix##4##suffix, 4, write) macro(prefix##8##suffix, 8, write)                      \
            macro(prefix##16##suffix, 16, write)

#define CC_TSAN_GENERAL_OF(name, size, write) CC_TSAN_GENERAL(size, write)
CC_TSAN_SIZES(CC_TSAN_GENERAL_OF, , , 0)
CC_TSAN_SIZES(CC_TSAN_GENERAL_OF, , , 1)

/* ---- accesses ----------------------------------------------------------------- */

/* Each entry point starts a cache line: where its steady state falls in
 * the lines moved the memory phase of bench/lock_bench.c by 10-15% from
 * one link to the next (docs/performance.md). */
#define CC_TSAN_HOT CC_EXPORT __attribute__((aligned(64)))

/* One entry point of `size` bytes; `write`: 1 for a write (or a read
 * followed by a write, which a write's check covers), 0 for a read. */
#define CC_TSAN_ACCESS(name, size, write)                                                          \
    CC_EXPORT void name(void *addr);                                                               \
    CC_TSAN_HOT void name(void *addr)                                                              \
    {                                                                                              \
        cc_race_check(&view, &shadow, general_##size##_##write, CC_ADDR(addr), (size), (write),  \
                      CC_TSAN_PC());                                                               \
    }

/* The same with the pc given (tools that instrument binaries). */
#define CC_TSAN_ACCESS_PC(name, size, write)                                                       \
    CC_EXPORT void name(void *addr, void *pc);                                                     \
    CC_TSAN_HOT void name(void *addr, void *pc)                                                    \
    {                                                                                              \
        cc_race_check(&view, &shadow, general_##size##_##write, CC_ADDR(addr), (size), (write),  \
                      CC_ADDR(pc));                                                                \
    }

CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_read, , 0)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_read, , 0)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_volatile_read, , 0)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_volatile_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_volatile_read, , 0)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_volatile_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_read_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS, __tsan_unaligned_read_write, , 1)
CC_TSAN_SIZES(CC_TSAN_ACCESS_PC, __tsan_read, _pc, 0)
CC_TSAN_SIZES(CC_TSAN_ACCESS_PC, __tsan_write, _pc, 1)

/* ---- function entry and exit --------------------------------------------------- */

/* Entry and exit: race/history.h (the event first, then the stack). */
CC_EXPORT void __tsan_func_entry(void *call_pc);
CC_TSAN_HOT void __tsan_func_entry(void *call_pc)
{
    cc_thread_t *t = cc_race_checking_thread();
    if (CC_LIKELY(t != NULL))
        cc_history_func_entry_inline(t, CC_ADDR(call_pc));
}

CC_EXPORT void __tsan_func_exit(void);
CC_TSAN_HOT void __tsan_func_exit(void)
{
    cc_thread_t *t = cc_race_checking_thread();
    if (CC_LIKELY(t != NULL))
        cc_history_func_exit_inline(t);
}

/* ---- C++ vptrs ------------------------------------------------------------------ */

/* A constructor or destructor storing the vptr: a write, unless the value
 * does not change (a derived class's constructor rewriting what its base's
 * wrote is no race with a reader of the object). */
CC_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val);
CC_EXPORT void __tsan_vptr_update(void **vptr_p, void *new_val)
{
    if (*vptr_p != new_val)
        cc_race_check(&view, &shadow, general_8_1, CC_ADDR(vptr_p), 8, true, CC_RET_PC());
}

CC_EXPORT void __tsan_vptr_read(void **vptr_p);
CC_EXPORT void __tsan_vptr_read(void **vptr_p)
{
    cc_race_check(&view, &shadow, general_8_0, CC_ADDR(vptr_p), 8, false, CC_RET_PC());
}
