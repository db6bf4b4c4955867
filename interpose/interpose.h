/* Shared shape of the interposers.
 *
 * Rules for every file in interpose/:
 *  - An interposer returns exactly what the real call returned and leaves
 *    errno as the real call set it (runtime code that makes syscalls saves
 *    and restores errno itself).
 *  - Runtime bookkeeping runs between cc_enter() and cc_leave(); a real call
 *    that blocks, is a cancellation point, or runs program code is made
 *    outside that window.
 *  - Bookkeeping for a release runs before the real release, and for an
 *    acquisition after it returned: between the two, the lock is held.
 *  - CC_CALLER() must expand in the exported function itself, never in a
 *    helper, so the hooks below are macros. */
#ifndef CC_INTERPOSE_H
#define CC_INTERPOSE_H

#include <errno.h>

#include "lock_hot_path.h"
#include "misuse.h"
#include "prio_inversion.h"
#include "runtime.h"

/* Runs `stmt` with `t` bound to the current thread's state, inside the
 * guard, unless the runtime must stay out. */
#define CC_WITH_THREAD(t, stmt)                                                        \
    do {                                                                               \
        cc_thread_t *t = cc_enter();                                                   \
        if (t) {                                                                       \
            stmt;                                                                      \
            cc_leave(t);                                                               \
        }                                                                              \
    } while (0)

/* Happens-before (runtime/race/hb.c): `call` runs only once race detection
 * is on, so a program with no instrumented code pays one predictable load
 * and branch per operation. */
#define CC_RACE_ON() CC_UNLIKELY(__atomic_load_n(&cc_race_enabled, __ATOMIC_RELAXED))
#define CC_HB(call)                                                                    \
    do {                                                                               \
        if (CC_RACE_ON())                                                              \
            call;                                                                      \
    } while (0)

#define CC_UNPAREN(...) __VA_ARGS__

/* An interposer of a libc function that matters only to race detection:
 * with race detection off and the real function known, a tail call of it;
 * else name_checked runs `before`, makes the call (resolving the real
 * function first if need be), then runs `after`, which sees the call's
 * `result`; both see pc_, the caller's return address. The slow path is a
 * function of its own so that the fast one saves no registers. */
#define CC_RACE_INTERPOSER(type, name, params, args, before, after)                   \
    __attribute__((noinline)) static type name##_checked(uint64_t pc_,                 \
                                                         CC_UNPAREN params)            \
    {                                                                                  \
        before;                                                                        \
        type result = CC_REAL(name) args;                                              \
        after;                                                                         \
        return result;                                                                 \
    }                                                                                  \
    CC_EXPORT type name params                                                         \
    {                                                                                  \
        if (CC_LIKELY(cc_real.name != NULL) && !CC_RACE_ON())                          \
            return cc_real.name args;                                                  \
        return name##_checked(CC_CALLER().pc, CC_UNPAREN args);                        \
    }

/* In the `before` or `after` of CC_RACE_INTERPOSER: `stmts` with t_, the
 * current thread inside the guard, when race detection is on and the
 * thread takes part (given a slot if it had none); errno is kept. */
#define CC_RACE_CHECKED(stmts)                                                         \
    do {                                                                               \
        if (CC_RACE_ON()) {                                                            \
            int saved_errno_ = errno;                                                  \
            cc_thread_t *t_ = cc_race_hook_enter();                                    \
            if (t_) {                                                                  \
                stmts;                                                                 \
                cc_leave(t_);                                                          \
            }                                                                          \
            errno = saved_errno_;                                                      \
        }                                                                              \
    } while (0)

/* The call read or wrote the n bytes at p (none if p is NULL). */
static inline void cc_race_range(cc_thread_t *t, const void *p, size_t n, bool write, uint64_t pc)
{
    if (p && n)
        cc_race_access_range(t, (uint64_t)(uintptr_t)p, n, write, pc);
}
/* The same in CC_RACE_CHECKED, as its interposer's caller. */
#define CC_RACE_READ(p, n) cc_race_range(t_, (p), (n), false, pc_)
#define CC_RACE_WRITE(p, n) cc_race_range(t_, (p), (n), true, pc_)

/* How a lock acquisition acquires: an rwlock's write lock also comes after
 * the read unlocks (the read clock). Every lock operation reads the lock
 * (runtime/race/race.h). Constant at each call site. */
#define CC_HB_LOCK_HOW(kind, flags)                                                    \
    (CC_RACE_HOOK_LOCK | CC_RACE_HOOK_READ |                                           \
     ((kind) == CC_LOCK_RWLOCK && !((flags) & CC_ACQUIRE_READ) ? CC_RACE_HOOK_WRITER : 0u))

/* After a real acquisition that succeeded (`ok`): the lock-order
 * bookkeeping, then the acquire on the lock's clock. */
#define CC_ACQUIRED(addr, kind, flags, ok)                                             \
    do {                                                                               \
        if (ok) {                                                                      \
            cc_on_acquired((void *)(addr), (kind), (flags), CC_CALLER());              \
            CC_HB(cc_race_hook_acquire((void *)(addr), CC_HB_LOCK_HOW((kind), (flags)), \
                                       CC_CALLER().pc));                               \
        }                                                                              \
    } while (0)

/* Before a real release that is not an unlock call (a condition wait): the
 * release on the mutex's clock, then the lock-order bookkeeping. */
#define CC_RELEASING(addr)                                                             \
    do {                                                                               \
        CC_HB(cc_race_hook_release((void *)(addr),                                     \
                                   CC_RACE_HOOK_LOCK | CC_RACE_HOOK_READ,              \
                                   CC_CALLER().pc));                                   \
        cc_on_releasing((void *)(addr), CC_CALLER());                                  \
    } while (0)

/* Before a real unlock call: the release on the lock's clock, which for an
 * rwlock (`how` CC_RACE_HOOK_RWLOCK) reads the held stack to tell a read
 * unlock from a write unlock, so it comes before the bookkeeping pops the
 * lock; an unlock of a lock this thread does not hold is checked for
 * misuse (runtime/misuse.h). */
#define CC_UNLOCKING_AS(addr, how)                                                     \
    do {                                                                               \
        CC_HB(cc_race_hook_release((void *)(addr),                                     \
                                   CC_RACE_HOOK_LOCK | CC_RACE_HOOK_READ | (how),      \
                                   CC_CALLER().pc));                                   \
        cc_on_unlocking((void *)(addr), CC_CALLER());                                  \
    } while (0)
#define CC_UNLOCKING(addr) CC_UNLOCKING_AS(addr, 0u)

/* A release or an acquire on an object that is not a lock (semaphore,
 * condition variable, barrier, once control, C++ static guard); `how` says
 * whether and where the call reads the object (CC_RACE_HOOK_READ*, 0 for
 * none). */
#define CC_HB_RELEASE(addr, how)                                                       \
    CC_HB(cc_race_hook_release((const void *)(addr), (how), CC_CALLER().pc))
#define CC_HB_ACQUIRE(addr, how)                                                       \
    CC_HB(cc_race_hook_acquire((const void *)(addr), (how), CC_CALLER().pc))

/* The call writes the object (init, destroy) or reads it where no edge of
 * its own is made (a condition wait, as it starts). */
#define CC_HB_WRITES(addr)                                                             \
    CC_HB(cc_race_hook_access((const void *)(addr), true, CC_CALLER().pc))
#define CC_HB_READS(addr)                                                              \
    CC_HB(cc_race_hook_access((const void *)(addr), false, CC_CALLER().pc))

/* A new object at addr (init) or none any more (destroy): its clocks go. */
#define CC_HB_FORGET(addr)                                                             \
    CC_HB(cc_race_sync_forget_range((uint64_t)(uintptr_t)(addr),                       \
                                    (uint64_t)(uintptr_t)(addr) + 1))

/* After a real init that succeeded, or before a real destroy: the call
 * writes the object, and the clocks of the one before go. */
#define CC_HB_NEW(addr)                                                                \
    do {                                                                               \
        CC_HB_WRITES(addr);                                                            \
        CC_HB_FORGET(addr);                                                            \
    } while (0)

/* The `ok` of CC_ACQUIRED for the pthread mutex lock calls: the mutex is
 * held on success and on EOWNERDEAD (a robust mutex whose owner died is
 * handed over locked). Any other failure but busy or timed out goes to the
 * misuse checks: EDEADLK (an error-checking mutex this thread holds),
 * EINVAL (a destroyed mutex). */
#define CC_MUTEX_LOCKED(m, rc)                                                         \
    ((rc) == 0 || (rc) == EOWNERDEAD ||                                                \
     (CC_UNLIKELY((rc) != EBUSY && (rc) != ETIMEDOUT) &&                               \
      (cc_misuse_mutex_lock_failed((m), (rc), CC_CALLER()), false)))

/* After a real pthread_mutex_unlock: EPERM is an unlock the mutex itself
 * refused (error-checking, recursive or robust, not owned). */
#define CC_MUTEX_UNLOCKED(m, rc)                                                       \
    do {                                                                               \
        if (CC_UNLIKELY((rc) != 0))                                                    \
            cc_misuse_mutex_unlock_failed((m), (rc), CC_CALLER());                     \
    } while (0)

/* Before a real write-lock call: a write lock of an rwlock this thread
 * holds waits for itself, so it is reported before the call. */
#define CC_WRLOCKING(l) cc_misuse_check_wrlock((void *)(l), CC_CALLER())

/* After a real init that succeeded. */
#define CC_INITIALIZED(addr, kind, ok)                                                 \
    do {                                                                               \
        if (ok) {                                                                      \
            CC_WITH_THREAD(t_, cc_lock_initialized((uint64_t)(uintptr_t)(addr), (kind), \
                                                   CC_CALLER().pc));                   \
            CC_HB_NEW(addr);                                                           \
        }                                                                              \
    } while (0)

/* Before a real destroy: a destroy of a held lock is misuse; the next use
 * of the address is a new instance (or a use after destroy), with no
 * clock. */
#define CC_DESTROYING(addr)                                                            \
    do {                                                                               \
        CC_WITH_THREAD(t_, cc_misuse_destroying(t_, (uint64_t)(uintptr_t)(addr), CC_CALLER()); \
                       cc_lock_destroyed((uint64_t)(uintptr_t)(addr)));                \
        CC_HB_NEW(addr);                                                               \
    } while (0)

/* Around a call that blocks (or may): the thread is marked as waiting in
 * `kind` on `object` for the watchdog. `timed` if it has a deadline. */
#define CC_WAIT_BEGIN(kind, object, timed) cc_wait_begin((kind), (object), (timed), CC_CALLER())

/* A blocking acquisition made as a try first: only when the lock is busy
 * is the thread marked as waiting (for the watchdog) before the real
 * blocking call, so the uncontended path pays nothing for it. The try and
 * the blocking call return the same for every case the try does not report
 * as busy (success, recursion, robust-owner death, errors), so the result
 * is the one the blocking call alone would give. */
#define CC_BLOCKING_ACQUIRE(rc, try_call, blocking_call, busy, kind, object)           \
    CC_BLOCKING_ACQUIRE_THEN(rc, try_call, blocking_call, busy, kind, object, (void)0)
/* The same, running `before_blocking` once the try found the lock busy. */
#define CC_BLOCKING_ACQUIRE_THEN(rc, try_call, blocking_call, busy, kind, object,        \
                                 before_blocking)                                      \
    do {                                                                               \
        (rc) = (try_call);                                                             \
        if (CC_UNLIKELY((rc) == (busy))) {                                             \
            before_blocking;                                                           \
            CC_WAIT_BEGIN((kind), (object), false);                                    \
            (rc) = (blocking_call);                                                    \
            cc_wait_end();                                                             \
        }                                                                              \
    } while (0)

/* A blocking lock of a pthread mutex or C11 mtx (`lock_kind`): a thread
 * about to block on one is checked for priority inversion first. */
#define CC_BLOCKING_MUTEX_LOCK(rc, try_call, blocking_call, busy, mutex, lock_kind)      \
    CC_BLOCKING_ACQUIRE_THEN(rc, try_call, blocking_call, busy, CC_WAIT_LOCK, mutex,     \
                             cc_prio_before_blocking((void *)(mutex), (lock_kind),     \
                                                     CC_CALLER()))

/* pthread_exit / thrd_exit are on their way: see interpose/thread.c. */
void cc_thread_exiting(void);

#endif
