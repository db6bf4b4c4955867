/* Missed notifications: a signal or broadcast that finds no waiter is lost;
 * a wait that began after it, with no signal since, and then times out,
 * stays blocked at exit, or is found stuck by the watchdog, missed it.
 *
 * And condition-variable misuse (CC_REC_MISUSE records): a wait with a
 * mutex the thread does not hold, or with another mutex than the threads
 * waiting at the same time; a destroy while threads wait; a signal or
 * broadcast without the mutex the waiters use. */
#ifndef CC_NOTIFY_H
#define CC_NOTIFY_H

#include "ccheck/trace_format.h"
#include "util.h"

struct cc_thread;

/* Around the real calls, from the interposers (they enter the runtime
 * themselves, and preserve errno). All are reached only from condition-
 * variable calls, never from a lock path. */
void cc_cond_initialized(void *cond);
/* Before the real destroy, which blocks while threads wait. */
/* Returns whether threads wait on it (glibc's destroy then waits for
 * them). */
bool cc_cond_destroying(void *cond, cc_caller_t at);
void cc_cond_signaling(void *cond, cc_caller_t at);
/* Before the wait releases its mutex (the misuse checks look for it among
 * the locks the thread holds); `mutex_kind` is CC_LOCK_MUTEX or
 * CC_LOCK_C11_MTX. */
void cc_cond_wait_begin(void *cond, void *mutex, cc_lock_kind_t mutex_kind, cc_caller_t at);
void cc_cond_wait_end(void *cond, int timed_out, cc_caller_t at);

/* A thread blocked in a condition wait now (at exit, or stuck): fills `rec`
 * and returns true if its wait missed a lost signal. Judge before anything
 * may wake the wait (the watchdog's stack request can). Inside the runtime. */
bool cc_cond_missed_now(struct cc_thread *t, cc_missed_how_t how, cc_rec_missed_signal_t *rec);
/* cc_cond_missed_now, then writes the record. */
void cc_cond_check_blocked(struct cc_thread *t, cc_missed_how_t how);
void cc_cond_write_missed(cc_rec_missed_signal_t *rec);
/* Writes the thread's pending timed-out wait, if any: it did not turn out to
 * be a poll. Inside the runtime. */
void cc_cond_flush_missed(struct cc_thread *t);

#endif
