/* The per-operation path of every lock and unlock, inlined into the
 * interposers.
 *
 * Rules:
 *  - Nothing here calls a function except the out-of-line slow paths (and,
 *    when hold times are measured, hold_time.h's, at a point where no
 *    value of the path is live after them), so the interposer saves no
 *    registers it does not need.
 *  - The guard is checked, not taken: this code calls nothing that could
 *    re-enter the runtime. A signal handler that runs in the middle and
 *    locks and unlocks leaves the held stack as it found it, because the
 *    count is raised before the new entry is filled.
 *  - Anything unusual (first use of a lock, a destroyed lock, a full held
 *    stack, a lock taken while others are held, a release out of order, no
 *    thread state yet) goes to the slow path, which takes the guard. So
 *    does a release after a hold that was too long (hold_time.h). */
#ifndef CC_LOCK_HOT_PATH_H
#define CC_LOCK_HOT_PATH_H

#include "hold_time.h"
#include "lock_order.h"
#include "lock_table.h"
#include "options.h"
#include "thread.h"

static inline void cc_held_fill(cc_held_t *h, uint64_t addr, cc_lock_t *lock, uint32_t flags,
                                cc_caller_t at)
{
    h->addr = addr;
    h->lock = lock;
    h->id = __atomic_load_n(&lock->id, __ATOMIC_RELAXED);
    h->at = at;
    h->stack = 0;
    h->flags = flags;
    /* h->since: cc_hold_stamp's, only when timed (every push is then). */
}

/* The current thread's state if the runtime may act without entering, or
 * NULL. A thread has state only while the runtime is on (runtime/init.c
 * drops it when a fork child cannot open its trace), so the global state
 * need not be read here. */
static inline cc_thread_t *cc_hot_thread(void)
{
    cc_thread_t *t = cc_current_thread;
    return CC_LIKELY(t != NULL && t->guard == 0) ? t : NULL;
}

/* After a successful acquisition of the lock at addr. */
static inline void cc_on_acquired(void *addr, cc_lock_kind_t kind, uint32_t flags, cc_caller_t at)
{
    cc_thread_t *t = cc_hot_thread();
    uint64_t key = (uint64_t)(uintptr_t)addr;
    if (CC_LIKELY(t != NULL)) {
        cc_lock_order_thread_t *lo = &t->locks;
        size_t slot = cc_lock_cache_slot(key);
        cc_lock_t *lock = lo->cache_lock[slot];
        if (CC_LIKELY(lo->cache_addr[slot] == key && lo->n_held < lo->cap_held &&
                      __atomic_load_n(&lock->id, __ATOMIC_RELAXED) != 0)) {
            uint32_t at_index = lo->n_held++;
            cc_held_fill(&lo->held[at_index], key, lock, flags, at);
            if (CC_UNLIKELY(at_index > 0) && cc_opt.lock_order) {
                t->guard = 1;
                cc_lock_add_edges(t);
                t->guard = 0;
            }
            /* Last: nothing of this path is live across the clock read. */
            if (cc_hold_timed())
                cc_hold_stamp(t);
            return;
        }
    }
    cc_lock_acquired_slow(addr, kind, flags, at);
}

/* Pops the lock at addr if it is on top of the held stack: the common
 * case of every release. False sends the caller to its slow path, also
 * when the hold was too long (hold_time.h). */
static inline bool cc_pop_top(void *addr)
{
    cc_thread_t *t = cc_hot_thread();
    if (CC_LIKELY(t != NULL)) {
        cc_lock_order_thread_t *lo = &t->locks;
        uint32_t n = lo->n_held;
        if (CC_LIKELY(n > 0 && lo->held[n - 1].addr == (uint64_t)(uintptr_t)addr)) {
            if (cc_hold_timed())
                return cc_hold_pop(t);
            lo->n_held = n - 1;
            return true;
        }
    }
    return false;
}

/* Before a release of the lock at addr that is not an unlock call (a
 * condition wait giving up its mutex, at `at`). */
static inline void cc_on_releasing(void *addr, cc_caller_t at)
{
    if (CC_UNLIKELY(!cc_pop_top(addr)))
        cc_lock_released_slow(addr, at);
}

/* Before an unlock call on the lock at addr: as cc_on_releasing, and an
 * unlock of a lock the thread does not hold is checked for misuse. `at` is
 * only used on the slow path. */
static inline void cc_on_unlocking(void *addr, cc_caller_t at)
{
    if (CC_UNLIKELY(!cc_pop_top(addr)))
        cc_lock_unlocked_slow(addr, at);
}

#endif
