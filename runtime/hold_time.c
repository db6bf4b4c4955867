/* Hold time (lock-held-too-long). See hold_time.h for the rules. */
#include "hold_time.h"

#include <errno.h>
#include <stdint.h>

#include "lock_table.h"
#include "misuse.h"
#include "stack.h"
#include "thread.h"

static uint64_t threshold_ns(void) { return (uint64_t)cc_opt.hold_threshold_ms * 1000000u; }

/* 0 for an entry with no time (taken before the runtime timed anything). */
static uint64_t held_ns(const cc_held_t *h) { return h->since ? cc_coarse_ns() - h->since : 0; }

void cc_hold_stamp(cc_thread_t *t) { t->locks.held[t->locks.n_held - 1].since = cc_coarse_ns(); }

bool cc_hold_pop(cc_thread_t *t)
{
    cc_lock_order_thread_t *lo = &t->locks;
    if (held_ns(&lo->held[lo->n_held - 1]) > threshold_ns())
        return false;
    lo->n_held--;
    return true;
}

void cc_hold_released(cc_thread_t *t, const cc_held_t *h, cc_caller_t at)
{
    uint64_t held = held_ns(h);
    if (held <= threshold_ns())
        return;
    cc_lock_t *lock = h->lock;
    /* Destroyed (or made anew) while held: destroy-locked's to report. */
    if (__atomic_load_n(&lock->id, __ATOMIC_RELAXED) != h->id)
        return;
    if (!cc_misuse_once(CC_MISUSE_HELD_TOO_LONG, h->at.pc, at.pc))
        return;
    int saved_errno = errno;
    cc_unwound_t now;
    cc_unwind(at, &now);
    uint32_t release_stack = cc_stack_intern(now.pc, now.n);
    /* Exact while the frame that took the lock is still live (the usual
     * lock and unlock in one function). */
    uint32_t acquire_stack = h->stack ? h->stack : cc_stack_earlier(&now, h->at);
    uint64_t held_ms = held / 1000000u;
    uint32_t held_ms32 = held_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)held_ms;
    cc_misuse_write(CC_MISUSE_HELD_TOO_LONG, h->addr, lock, release_stack, t->tid, acquire_stack,
                    cc_opt.hold_threshold_ms, held_ms32);
    errno = saved_errno;
}
