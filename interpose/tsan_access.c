/* The hot entry points of the -fsanitize=thread ABI: one per memory
 * access (plain, unaligned, volatile, read-write, _pc), function entry and
 * exit, and the vptr hooks. The rest of the ABI is in tsan.c and
 * tsan_atomic.c.
 *
 * This file is built twice: into libccheck.so, and alone into
 * libccheck-tsan.a, which the README's recipe, pkg-config and
 * find_package(ccheck) link into the instrumented program ahead of
 * libccheck.so. There the calls are direct: no PLT, the shadow
 * directory is a pc-relative load (dir_cache below), and the thread's
 * view (race.h) one load at a constant offset from %fs. Instrumented
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
 *    the steady state and else tail-calls the general path (which checks
 *    whether the thread checks accesses at all). The pc is taken here, in
 *    the exported function: the return address into the instrumented code.
 *  - Every access has any alignment and sizes up to 16: gcc passes
 *    unaligned accesses (packed structs) to the plain variants too.
 *  - No errno is touched on the fast path; the report path keeps it. */
#include <stdint.h>

#include "race/access.h"
#include "race/history.h"
#include "thread.h"
#include "util.h"

/* The runtime's shadow directory, once made (it never moves). A copy in
 * this module, read with one pc-relative load; until it is set, accesses
 * take the general path, which also makes the directory. */
static cc_shadow_cell_t **dir_cache;

/* This module's view of the current thread (race.h). Initial-exec, which
 * the linker turns into a constant offset from %fs in a program. */
static __thread cc_race_view_t view __attribute__((tls_model("initial-exec")));

/* The general path from this module: it also takes the directory for
 * dir_cache once there is one, and the version check rides on that. */
__attribute__((noinline)) static void general_path(cc_race_view_t *v, uint64_t addr, uint64_t size,
                                                   bool write, uint64_t pc)
{
    if (CC_UNLIKELY(dir_cache == NULL) && cc_race_abi_check != 0)
        dir_cache = __atomic_load_n(&cc_shadow_dir, __ATOMIC_ACQUIRE);
    cc_race_check_general(v, addr, size, write, pc);
}

/* ---- accesses ----------------------------------------------------------------- */

/* One entry point of `size` bytes; `write`: a write (or a read followed by
 * a write, which a write's check covers). */
#define CC_TSAN_ACCESS(name, size, write)                                                          \
    CC_EXPORT void name(void *addr);                                                               \
    CC_EXPORT void name(void *addr)                                                                \
    {                                                                                              \
        cc_race_check(&view, dir_cache, general_path, CC_ADDR(addr), (size), (write),              \
                      CC_RET_PC());                                                                \
    }

/* The same with the pc given (tools that instrument binaries). */
#define CC_TSAN_ACCESS_PC(name, size, write)                                                       \
    CC_EXPORT void name(void *addr, void *pc);                                                     \
    CC_EXPORT void name(void *addr, void *pc)                                                      \
    {                                                                                              \
        cc_race_check(&view, dir_cache, general_path, CC_ADDR(addr), (size), (write),              \
                      CC_ADDR(pc));                                                                \
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

/* ---- function entry and exit --------------------------------------------------- */

/* Entry and exit: race/history.h (the event first, then the stack). */
CC_EXPORT void __tsan_func_entry(void *call_pc);
CC_EXPORT void __tsan_func_entry(void *call_pc)
{
    cc_thread_t *t = cc_race_checking_thread();
    if (CC_LIKELY(t != NULL))
        cc_history_func_entry_inline(t, CC_ADDR(call_pc));
}

CC_EXPORT void __tsan_func_exit(void);
CC_EXPORT void __tsan_func_exit(void)
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
        cc_race_check(&view, dir_cache, general_path, CC_ADDR(vptr_p), 8, true, CC_RET_PC());
}

CC_EXPORT void __tsan_vptr_read(void **vptr_p);
CC_EXPORT void __tsan_vptr_read(void **vptr_p)
{
    cc_race_check(&view, dir_cache, general_path, CC_ADDR(vptr_p), 8, false, CC_RET_PC());
}
