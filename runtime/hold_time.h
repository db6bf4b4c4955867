/* Hold time: a lock released after it was held longer than
 * hold_threshold_ms, reported as lock-held-too-long (a warning). A sleep,
 * a blocking read or a long computation inside a critical section makes
 * every other thread that needs the lock wait as long.
 *
 * Rules:
 *  - Off (hold_threshold_ms=0, the default), the lock path pays one load
 *    and one predictable branch on acquire and on release: nothing is
 *    timed and releases stay on the hot path.
 *  - On, an acquisition reads the clock once into its held entry, and a
 *    release once more to compare; only a hold over the threshold leaves
 *    the hot path, for the slow path (lock_order.c) that reports it. The
 *    clock is cc_coarse_ns: a few ns, exact to a kernel tick, which is what
 *    thresholds of tens of ms need.
 *  - An entry with no time (0) is never judged.
 *  - A condition wait releases its mutex like an unlock (a hold that ends
 *    in a wait is judged there), and the hold after it starts afresh.
 *  - Semaphores used as locks are not timed: a long hold of a permit is
 *    what a semaphore that counts resources is for.
 *  - Each pair of (acquisition site, release site) is reported once per
 *    trace, so a loop that sleeps under a lock is one report. */
#ifndef CC_HOLD_TIME_H
#define CC_HOLD_TIME_H

#include <stdint.h>

#include "lock_order.h"
#include "options.h"
#include "util.h"

struct cc_thread;

/* Whether hold times are measured. The option is set before any lock is
 * seen and never changes, so every held entry of a timed run has a time. */
static inline bool cc_hold_timed(void) { return CC_UNLIKELY(cc_opt.hold_threshold_ms != 0); }

/* The lock path's two calls, out of line so that it keeps no more
 * registers than without them. Thread t has just pushed a held entry:
 * stamps it with the time. */
void cc_hold_stamp(struct cc_thread *t);
/* Thread t releases the lock on top of its held stack: pops it, or leaves
 * it and returns false when it was held too long, for the slow path that
 * reports it. */
bool cc_hold_pop(struct cc_thread *t);

/* Thread t has just released the lock of entry h (already off its held
 * stack) at `at`: lock-held-too-long if it was held over the threshold.
 * Inside the guard; preserves errno. */
void cc_hold_released(struct cc_thread *t, const cc_held_t *h, cc_caller_t at);

#endif
