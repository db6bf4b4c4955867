/* Lock misuse: the checks that write CC_REC_MISUSE records.
 *
 * Rules:
 *  - Everything here is a slow path. It runs only when a release is not on
 *    top of the thread's held stack, when a real lock or unlock call failed,
 *    when the lock table makes a lock it first sees in use, at destroy, at
 *    thread exit, and (one inline loop over the thread's own held stack)
 *    before a write lock. The uncontended lock and unlock never come here.
 *  - The out-of-line functions run inside the guard (the caller took it
 *    with cc_enter) unless said otherwise, and preserve errno.
 *  - A report needs two witnesses that agree: the held-lock stacks the
 *    runtime keeps, and the lock's own memory (glibc's owner / writer /
 *    lock word). The memory is only ever used to hold a report back, never
 *    to make one: a lock the runtime never saw acquired or initialised is
 *    never reported. One exception: use-uninitialized, where the memory is
 *    the only witness there is, and only values that no initialisation can
 *    leave (not merely unusual ones) count.
 *  - Each distinct misuse (kind, stack, related stack) is written once per
 *    trace, and a call site is unwound at most a few times, so a misuse in
 *    a loop costs little after its first occurrences. */
#ifndef CC_MISUSE_H
#define CC_MISUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "lock_hot_path.h"
#include "util.h"

struct cc_thread;

/* An unlock of the lock at addr that is not in thread t's held stack:
 * unlock-not-owned, double-unlock or use-after-destroy. */
void cc_misuse_unlock_unheld(struct cc_thread *t, uint64_t addr, cc_caller_t at);

/* After a real pthread mutex lock call that failed with rc: EDEADLK (an
 * error-checking mutex this thread holds), EINVAL from a mutex glibc
 * marked destroyed (use-after-destroy) or from one never initialised
 * (use-uninitialized: glibc refuses a type it does not know). Takes the
 * guard itself. */
void cc_misuse_mutex_lock_failed(void *addr, int rc, cc_caller_t at);
/* After a real pthread_mutex_unlock that failed with rc: EPERM is an
 * unlock the mutex itself refused (error-checking, recursive or robust
 * mutex the thread does not own). Takes the guard itself. */
void cc_misuse_mutex_unlock_failed(void *addr, int rc, cc_caller_t at);

/* The lock table has just made `lock` a new instance first seen in a
 * successful lock call at pc (origin CC_LOCK_FROM_FIRST_USE): reported as
 * use-uninitialized if its memory holds what no init call or static
 * initializer leaves. Runs once per instance, never on the hot path; only
 * inside the guard of a lock call (the table is also filled by hand, with
 * addresses that are not locks, by unit tests). */
void cc_misuse_first_use(struct cc_lock *lock, cc_lock_kind_t kind, uint64_t pc);

/* Before a real destroy: destroy-locked if some thread holds the lock;
 * remembers where it was destroyed for a later use-after-destroy. */
void cc_misuse_destroying(struct cc_thread *t, uint64_t addr, cc_caller_t at);

/* pthread_exit / thrd_exit are on their way: keeps their stack, and the
 * stacks of the locks still held while their frames are live, for
 * exit-holding-lock. */
void cc_misuse_thread_exiting(struct cc_thread *t, cc_caller_t at);
/* The thread is writing its exit record: one exit-holding-lock per lock it
 * still holds. */
void cc_misuse_exit_holding(struct cc_thread *t);

/* A write lock of an rwlock the calling thread holds (read or write).
 * Takes the guard itself. */
void cc_misuse_recursive_wrlock(uint64_t addr, cc_caller_t at);

/* A misuse another module has judged (condition variables, semaphores,
 * threads): writes its record with the stack at `at`, once per kind and
 * site, like every misuse here. `other_thread`/`other_stack` name the
 * related event or are CC_TRACE_NO_THREAD / CC_TRACE_NO_STACK; `result` is
 * the real call's result where it matters. Inside the runtime (guard held). */
/* The dedup every misuse check uses, per trace: whether a check of `kind`
 * (with `result`) at call site pc is one of the first few there (a full
 * unwind is worth it), and whether a record is written for the first time
 * (its kind, stack and related event). Lock-free; safe from any thread. */
bool cc_misuse_site_budget(cc_misuse_kind_t kind, int result, uint64_t pc);
bool cc_misuse_first_time(cc_misuse_kind_t kind, int result, uint32_t stack,
                          uint32_t other_thread, uint32_t other_stack);

void cc_misuse_report(cc_misuse_kind_t kind, uint64_t addr, uint32_t other_thread,
                      uint32_t other_stack, int32_t result, cc_caller_t at);

/* True the first time (kind, a, b) is asked in this trace: for a check
 * whose report is keyed by two call sites (lock-held-too-long: where the
 * lock was taken and where it was released). Lock-free. */
bool cc_misuse_once(cc_misuse_kind_t kind, uint64_t a, uint64_t b);

/* Writes a misuse record whose stacks the caller has made (`lock` may be
 * NULL), once per (kind, result, stack, related event) per trace like
 * every misuse here. `result` and `detail` as trace_format.h says for the
 * kind. Inside the runtime (guard held). */
void cc_misuse_write(cc_misuse_kind_t kind, uint64_t addr, struct cc_lock *lock, uint32_t stack,
                     uint32_t other_thread, uint32_t other_stack, int32_t result, uint32_t detail);

/* Who holds a mutex (or C11 mtx) that thread t is about to wait for. */
typedef struct cc_mutex_holder {
    uint32_t tid, os_tid;
    uint32_t stack;     /* where it locked it: its full stack if one was taken, else one frame */
    bool prio_protocol; /* the mutex's memory says PTHREAD_PRIO_INHERIT or _PROTECT */
} cc_mutex_holder_t;

/* The other thread that holds the mutex at addr, by both witnesses: its
 * held stack has the mutex and glibc's owner field names it. False if they
 * do not agree on one (free by now, or a hold the runtime did not see).
 * Takes the registry lock; inside the guard. */
bool cc_misuse_mutex_holder(struct cc_thread *t, uint64_t addr, cc_lock_kind_t kind,
                            cc_mutex_holder_t *out);

/* Before a real write-lock call: glibc's write lock of an rwlock the
 * thread holds for reading waits for itself forever, so this must be
 * reported before the call. A scan of the thread's own held stack, usually
 * empty or a few entries; no guard, no call unless the lock is there. */
static inline void cc_misuse_check_wrlock(void *addr, cc_caller_t at)
{
    cc_thread_t *t = cc_hot_thread();
    if (!t)
        return;
    const cc_lock_order_thread_t *lo = &t->locks;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    for (uint32_t i = 0; i < lo->n_held; i++) {
        if (CC_UNLIKELY(lo->held[i].addr == key)) {
            cc_misuse_recursive_wrlock(key, at);
            return;
        }
    }
}

#endif
