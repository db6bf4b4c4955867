/* C++ function-local statics: __cxa_guard_acquire / _release / _abort,
 * for happens-before. The thread that runs a static's initializer releases
 * on the guard before the real release marks it done; a thread that finds
 * it done in __cxa_guard_acquire (0: someone else initialised it) acquires.
 * Compiled code checks the guard's first byte inline before calling here;
 * with -fsanitize=thread that check is an acquire load through the
 * instrumentation ABI, which acquires on the same address.
 *
 * Rules:
 *  - The real functions come from the C++ runtime (libstdc++ or libc++abi)
 *    through the usual table (runtime/real_functions.def). A program
 *    without one never calls these. If one calls them anyway with no real
 *    function to be found (a module that links its C++ runtime statically
 *    and is loaded with RTLD_LOCAL, out of RTLD_NEXT's reach), a minimal
 *    guard of our own keeps it working instead of ending the process.
 *  - No guard is held here across the real acquire: it may wait for the
 *    thread running the initializer. */
#include <dlfcn.h>
#include <stdint.h>

#include "interpose.h"

int __cxa_guard_acquire(int64_t *g);
void __cxa_guard_release(int64_t *g);
void __cxa_guard_abort(int64_t *g);

/* The real function, looked up again if not found yet (the C++ runtime may
 * come later with dlopen), or NULL. */
static void *real_or_null(void **slot, const char *name)
{
    void *fn = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (CC_LIKELY(fn != NULL))
        return fn;
    int saved_errno = errno;
    fn = dlsym(RTLD_NEXT, name);
    errno = saved_errno;
    if (fn)
        __atomic_store_n(slot, fn, __ATOMIC_RELAXED);
    return fn;
}

#define CC_REAL_OR_NULL(name) ((__typeof__(cc_real.name))real_or_null((void **)&cc_real.name, #name))

/* The fallback guard, in the Itanium ABI's layout: byte 0 is set once the
 * static is initialised (what compiled code tests inline); byte 1 while a
 * thread runs the initializer. Waiters yield: this path is for a broken
 * setup, not for speed. */
static int fallback_acquire(int64_t *g)
{
    uint8_t *b = (uint8_t *)g;
    for (;;) {
        if (__atomic_load_n(&b[0], __ATOMIC_ACQUIRE))
            return 0;
        uint8_t idle = 0;
        if (__atomic_compare_exchange_n(&b[1], &idle, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            if (!__atomic_load_n(&b[0], __ATOMIC_ACQUIRE))
                return 1;
            __atomic_store_n(&b[1], 0, __ATOMIC_RELEASE);
            return 0;
        }
        cc_yield();
    }
}

CC_EXPORT int __cxa_guard_acquire(int64_t *g)
{
    int (*real)(void *) = CC_REAL_OR_NULL(__cxa_guard_acquire);
    int rc = real ? real(g) : fallback_acquire(g);
    if (rc == 0)
        CC_HB_ACQUIRE(g, 0u);
    return rc;
}

CC_EXPORT void __cxa_guard_release(int64_t *g)
{
    CC_HB_RELEASE(g, 0u);
    void (*real)(void *) = CC_REAL_OR_NULL(__cxa_guard_release);
    if (real) {
        real(g);
        return;
    }
    __atomic_store_n((uint8_t *)g, 1, __ATOMIC_RELEASE);
    __atomic_store_n((uint8_t *)g + 1, 0, __ATOMIC_RELEASE);
}

CC_EXPORT void __cxa_guard_abort(int64_t *g)
{
    void (*real)(void *) = CC_REAL_OR_NULL(__cxa_guard_abort);
    if (real)
        real(g);
    else
        __atomic_store_n((uint8_t *)g + 1, 0, __ATOMIC_RELEASE);
}
