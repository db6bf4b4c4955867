/* Priority inversion: a real-time thread (SCHED_FIFO or SCHED_RR) about to
 * block on a mutex that a thread of lower priority holds, when the mutex
 * does not lend its holder the waiter's priority (neither
 * PTHREAD_PRIO_INHERIT nor PTHREAD_PRIO_PROTECT). Any thread of a priority
 * between the two can then run instead of the holder, and so keep the
 * high-priority thread waiting for as long as it likes (a warning,
 * priority-inversion).
 *
 * Rules:
 *  - Only on the contended path: the try failed and the thread is about to
 *    block, which costs a futex wait anyway. The uncontended lock never
 *    comes here.
 *  - The waiter's own scheduling is read with a syscall at most once per
 *    CC_SCHED_RECHECK_NS per thread, or after a change the runtime saw
 *    (interpose/sched.c), so a contended lock in a program that never uses
 *    real-time scheduling costs a clock read and a compare. A change made
 *    from outside (chrt -p) is seen within CC_SCHED_RECHECK_NS.
 *  - The holder must be known by both witnesses (misuse.h): the runtime's
 *    held stacks and glibc's owner field; its scheduling is read from the
 *    kernel by its thread id. The protocol must be none by both: the init
 *    call's attribute, and the mutex's memory. */
#ifndef CC_PRIO_INVERSION_H
#define CC_PRIO_INVERSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "options.h"
#include "util.h"

/* How long a thread's scheduling as read stays good without a change seen. */
#define CC_SCHED_RECHECK_NS 100000000ull /* 100 ms */

/* Thread about to block on the mutex (or C11 mtx) at addr, called from
 * `at`: priority-inversion if it is real-time and the holder is lower.
 * Takes the guard itself; preserves errno. */
void cc_prio_check(void *mutex, cc_lock_kind_t kind, cc_caller_t at);

static inline void cc_prio_before_blocking(void *mutex, cc_lock_kind_t kind, cc_caller_t at)
{
    if (cc_opt.priority_inversion)
        cc_prio_check(mutex, kind, at);
}

/* After a successful pthread_mutex_init with attr (may be NULL): keeps
 * the mutex's protocol. Takes the guard itself. */
void cc_mutex_protocol_init(void *mutex, const pthread_mutexattr_t *attr);

/* After a call that changed some thread's scheduling: every thread reads
 * its own again before it next judges. */
void cc_sched_changed(void);

/* Whether a waiter of scheduling `waiter` (CC_SCHED_PACK) blocked behind
 * a holder of scheduling `holder` is a priority inversion: the waiter is
 * SCHED_FIFO or SCHED_RR and the holder is neither real-time nor
 * SCHED_DEADLINE, or has a lower real-time priority. */
bool cc_sched_inverted(uint32_t waiter, uint32_t holder);

#endif
