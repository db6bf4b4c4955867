/* Lock misuse: the runtime's CC_REC_MISUSE records (runtime/misuse.c) as
 * findings of category `misuse`.
 *
 * The runtime has judged each record already, with two witnesses (its
 * held-lock stacks and the lock's own memory); here they are only grouped
 * and worded. One finding per distinct (kind, stack) in a trace, so a
 * misuse repeated in a loop is one finding; a record with no stack of its
 * own (a thread that returned from its start routine holding a lock) is
 * grouped by its related stack instead. Kinds this analyzer does not know
 * (from a newer runtime) are left to whoever does. */
#include <errno.h>
#include <stdlib.h>

#include "analysis.h"
#include "xalloc.h"

/* The JSON `kind`, or NULL for a record this analysis does not report. */
static const char *kind_name(const cc_trace_misuse_t *m)
{
    switch (m->kind) {
    case CC_MISUSE_UNLOCK_NOT_OWNED: return "unlock-not-owned";
    case CC_MISUSE_DOUBLE_UNLOCK: return "double-unlock";
    case CC_MISUSE_DESTROY_LOCKED: return "destroy-locked";
    case CC_MISUSE_USE_AFTER_DESTROY: return "use-after-destroy";
    case CC_MISUSE_EXIT_HOLDING_LOCK: return "exit-holding-lock";
    case CC_MISUSE_RECURSIVE_WRLOCK: return "recursive-wrlock";
    case CC_MISUSE_UNINITIALIZED: return "use-uninitialized";
    case CC_MISUSE_ERRORCHECK:
        return m->result == EDEADLK ? "errorcheck-deadlock"
               : m->result == EPERM ? "errorcheck-not-owner"
                                    : NULL;
    case CC_MISUSE_COND_UNHELD_MUTEX: return "cond-wait-unheld-mutex";
    case CC_MISUSE_COND_MUTEX_MISMATCH: return "cond-mutex-mismatch";
    case CC_MISUSE_DESTROY_WITH_WAITERS: return "destroy-with-waiters";
    case CC_MISUSE_SIGNAL_UNLOCKED: return "signal-unlocked";
    case CC_MISUSE_DOUBLE_JOIN: return "double-join";
    case CC_MISUSE_JOIN_DETACHED: return "join-detached";
    case CC_MISUSE_SEM_OVERFLOW: return "sem-overflow";
    case CC_MISUSE_SEM_INVALID: return "sem-invalid";
    case CC_MISUSE_SEM_BOUND: return "sem-bound-exceeded";
    case CC_MISUSE_HELD_TOO_LONG: return "lock-held-too-long";
    case CC_MISUSE_PRIORITY_INVERSION: return "priority-inversion";
    default: return NULL;
    }
}

/* The stack a finding is grouped by. */
static uint32_t group_stack(const cc_trace_misuse_t *m)
{
    return m->stack != CC_TRACE_NO_STACK ? m->stack : m->other_stack;
}

/* A long hold is one finding per pair of lock and release sites, as the
 * runtime writes it. */
static bool same_group(const cc_trace_misuse_t *x, const cc_trace_misuse_t *y)
{
    return x->kind == y->kind && (x->kind != CC_MISUSE_ERRORCHECK || x->result == y->result) &&
           (x->kind != CC_MISUSE_HELD_TOO_LONG || x->other_stack == y->other_stack) &&
           group_stack(x) == group_stack(y) &&
           (x->stack == CC_TRACE_NO_STACK) == (y->stack == CC_TRACE_NO_STACK);
}

/* The lock by its record; one the runtime never wrote (an error-checking
 * mutex it first saw failing, a garbage mutex glibc refused) by its
 * address. */
static char *lock_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m)
{
    if (m->lock && cc_trace_find_lock(&a->traces[trace], m->lock))
        return cc_lock_label(a, trace, m->lock, 0);
    const char *what = m->kind == CC_MISUSE_ERRORCHECK || m->kind == CC_MISUSE_UNINITIALIZED
                           ? "mutex"
                       : m->kind == CC_MISUSE_RECURSIVE_WRLOCK ? "rwlock"
                                                               : "lock";
    const char *symbol = cc_function_at(a, trace, m->addr);
    return symbol ? cc_xasprintf("%s '%s' (%#llx)", what, symbol, (unsigned long long)m->addr)
                  : cc_xasprintf("%s (%#llx)", what, (unsigned long long)m->addr);
}

/* A condition-variable misuse names the condition variable by its address
 * (`addr`: "condition variable 'ready' (0x...)", with its symbol when
 * static) and the mutex by its lock record (`lock`), which may be unknown. */
static char *cond_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m)
{
    const char *symbol = cc_function_at(a, trace, m->addr);
    return symbol ? cc_xasprintf("condition variable '%s' (%#llx)", symbol,
                                 (unsigned long long)m->addr)
                  : cc_xasprintf("condition variable (%#llx)", (unsigned long long)m->addr);
}

static char *cond_mutex_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m)
{
    return m->lock && cc_trace_find_lock(&a->traces[trace], m->lock)
               ? cc_lock_label(a, trace, m->lock, 0)
               : cc_xstrdup("its mutex");
}

/* How thread tid ended, for exit-holding-lock. */
static const char *how_it_ended(const cc_trace_t *t, uint32_t tid)
{
    const cc_trace_thread_t *th = cc_trace_find_thread(t, tid);
    if (!th || !th->exited)
        return "ended";
    switch (th->exit_how) {
    case CC_EXIT_RETURN: return "returned from its start routine";
    case CC_EXIT_PTHREAD_EXIT: return "exited (pthread_exit)";
    default: return "was cancelled";
    }
}

/* ---- threads, semaphores, barriers (runtime/thread.c, sync_misuse.c) ---- */

/* A semaphore or barrier: by its lock record when that is the object itself
 * (a semaphore the runtime saw initialised), else by its address. */
static char *sync_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m,
                       const char *what)
{
    const cc_trace_lock_t *rec = m->lock ? cc_trace_find_lock(&a->traces[trace], m->lock) : NULL;
    if (rec && rec->addr == m->addr)
        return cc_lock_label(a, trace, m->lock, 0);
    const char *symbol = cc_function_at(a, trace, m->addr);
    return symbol ? cc_xasprintf("%s '%s' (%#llx)", what, symbol, (unsigned long long)m->addr)
                  : cc_xasprintf("%s (%#llx)", what, (unsigned long long)m->addr);
}

/* What the texts of one finding are made of; the related stack of a thread
 * misuse belongs to another thread than other_thread (the joined one). */
typedef struct misuse_text {
    char *message, *misuse, *related;
    const char *related_role;
    bool related_other;      /* the related stack is related_thread's */
    uint32_t related_thread;
} misuse_text_t;

/* double-join, join-detached: other_thread is the thread joined, other_stack
 * where it was joined first, detached, or created detached. */
static void join_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m,
                      const char *who, const char *target, misuse_text_t *out)
{
    const cc_trace_thread_t *th = cc_trace_find_thread(&a->traces[trace], m->other_thread);
    if (m->kind == CC_MISUSE_DOUBLE_JOIN) {
        uint32_t first = th && th->joined ? th->joiner : CC_TRACE_NO_THREAD;
        char *first_label = first != CC_TRACE_NO_THREAD ? cc_thread_label(a, trace, first) : NULL;
        char *joiner = first == m->thread ? cc_xstrdup("it")
                       : first_label      ? cc_xasprintf("thread %s", first_label)
                                          : cc_xstrdup("another thread");
        out->message = cc_xasprintf(
            "join of thread %s by thread %s, which %s had joined already: the handle names no "
            "thread any more and POSIX leaves the call undefined (glibc may fail with ESRCH, "
            "wait for an unrelated thread that was given the same handle, or crash)",
            target, who, joiner);
        out->misuse = cc_xasprintf("Joined again here by thread %s", who);
        out->related = first_label ? cc_xasprintf("Joined first here by thread %s", first_label)
                                   : cc_xstrdup("Joined first here");
        out->related_role = "join";
        out->related_other = true;
        out->related_thread = first;
        free(first_label);
        free(joiner);
        return;
    }
    bool created = th && (th->flags & CC_THREAD_DETACHED);
    uint32_t by = created                     ? th->creator
                  : th && th->detach_stack ? th->detacher
                                           : CC_TRACE_NO_THREAD;
    char *by_label = by != CC_TRACE_NO_THREAD ? cc_thread_label(a, trace, by) : NULL;
    out->message = cc_xasprintf(
        "join of thread %s by thread %s, which was %s: a detached thread cannot be joined "
        "(glibc fails with EINVAL, or, once the thread has ended and its handle was reused, "
        "joins another thread); whatever waits for its result does not get it",
        target, who,
        created ? "created detached" : by == m->other_thread ? "detached by itself" : "detached");
    out->misuse = cc_xasprintf("Joined here by thread %s", who);
    out->related = created     ? cc_xasprintf("Created detached here by thread %s", by_label)
                   : by_label ? cc_xasprintf("Detached here by thread %s", by_label)
                              : cc_xstrdup("Detached here");
    out->related_role = created ? "create" : "detach";
    out->related_other = true;
    out->related_thread = by;
    free(by_label);
}

/* sem-invalid, sem-overflow, sem-bound-exceeded, and destroy-with-waiters of
 * a semaphore or a barrier (`result`: what the waiter waits in). */
static void sync_misuse_text(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m,
                             const char *who, const char *other, misuse_text_t *out)
{
    bool barrier = m->kind == CC_MISUSE_DESTROY_WITH_WAITERS && m->result == CC_WAIT_BARRIER;
    char *object = sync_text(a, trace, m, barrier ? "barrier" : "semaphore");
    switch (m->kind) {
    case CC_MISUSE_SEM_INVALID: {
        const cc_trace_lock_t *rec =
            m->lock ? cc_trace_find_lock(&a->traces[trace], m->lock) : NULL;
        if (rec && rec->kind == CC_LOCK_SEM && rec->addr == m->addr) {
            out->message = cc_xasprintf(
                "use of %s by thread %s after %s%s destroyed it: glibc's sem_destroy changes "
                "nothing, so the call still seems to work, but the semaphore is gone and its "
                "memory may already be freed or hold something else",
                object, who, m->other_thread != CC_TRACE_NO_THREAD ? "thread " : "", other);
            out->misuse = cc_xasprintf("Used here by thread %s after the destroy", who);
            out->related = cc_xasprintf("Destroyed here by thread %s", other);
            out->related_role = "destroy";
        } else {
            out->message = cc_xasprintf(
                "use of %s by thread %s, which was never initialised: its memory holds values "
                "no sem_init or sem_open leaves, and glibc works on whatever it finds (a wait "
                "may return at once or block for good)",
                object, who);
            out->misuse = cc_xasprintf("Used here by thread %s without an initialisation", who);
        }
        break;
    }
    case CC_MISUSE_SEM_OVERFLOW:
        out->message = cc_xasprintf(
            "post of %s by thread %s failed with EOVERFLOW: its value was SEM_VALUE_MAX "
            "already, so the post is lost (posts outrun waits without bound)",
            object, who);
        out->misuse = cc_xasprintf("Posted here by thread %s", who);
        break;
    case CC_MISUSE_SEM_BOUND:
        out->message = cc_xasprintf(
            "post of %s by thread %s raised its value to %d, above the value it was "
            "initialised with: more posts than waits (a permit given back twice, or one "
            "given back that was never taken)",
            object, who, (int)m->result);
        out->misuse = cc_xasprintf("Posted here by thread %s", who);
        break;
    default: /* CC_MISUSE_DESTROY_WITH_WAITERS */
        out->message =
            barrier ? cc_xasprintf("destroy of %s by thread %s while thread %s waits at it in a "
                                   "round that has not completed: POSIX leaves this undefined; "
                                   "glibc's destroy waits for that round to complete (for "
                                   "good, if no more threads arrive)",
                                   object, who, other)
                    : cc_xasprintf("destroy of %s by thread %s while thread %s waits on it: "
                                   "POSIX leaves this undefined; glibc's sem_destroy does "
                                   "nothing, so the waiter goes on waiting on memory that may "
                                   "be freed or reused, and the post meant to wake it goes to "
                                   "a destroyed semaphore",
                                   object, who, other);
        out->misuse = cc_xasprintf("Destroyed here by thread %s", who);
        out->related = cc_xasprintf("Thread %s waits here %s it", other, barrier ? "at" : "on");
        out->related_role = "wait";
        break;
    }
    free(object);
}

/* ---- hold time and priority inversion (runtime/hold_time.c, prio_inversion.c) */

/* "SCHED_FIFO priority 10" from CC_SCHED_PACK (Linux's policy numbers). */
static char *sched_text(uint32_t packed)
{
    static const char *const policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
                                           "SCHED_BATCH", NULL,         "SCHED_IDLE",
                                           "SCHED_DEADLINE"};
    int policy = CC_SCHED_POLICY(packed);
    const char *name = policy >= 0 && (size_t)policy < sizeof policies / sizeof policies[0]
                           ? policies[policy]
                           : NULL;
    bool realtime = policy == 1 || policy == 2;
    if (!name)
        return cc_xasprintf("scheduling policy %d", policy);
    return realtime ? cc_xasprintf("%s priority %d", name, CC_SCHED_PRIORITY(packed))
                    : cc_xstrdup(name);
}

/* lock-held-too-long: the thread took the lock at other_stack and released
 * it at stack, detail ms later (result: the threshold). */
static void hold_text(const cc_trace_misuse_t *m, const char *lock, const char *who,
                      misuse_text_t *out)
{
    out->message = cc_xasprintf(
        "%s was held by thread %s for %u ms, longer than hold_threshold_ms=%d: every other "
        "thread that needs it waits as long (a sleep, a blocking call such as read or poll, or a "
        "long computation inside the critical section)",
        lock, who, m->detail, (int)m->result);
    out->misuse = cc_xasprintf("Released here by thread %s, %u ms after it locked it", who,
                               m->detail);
    out->related = cc_xasprintf("Locked here by thread %s", who);
    out->related_role = "held";
}

/* priority-inversion: thread m->thread (scheduling `result`) blocks at
 * stack on a mutex other_thread (scheduling `detail`) locked at
 * other_stack. */
static void inversion_text(const cc_trace_misuse_t *m, const char *lock, const char *who,
                           const char *holder, misuse_text_t *out)
{
    char *waiter_sched = sched_text((uint32_t)m->result);
    char *holder_sched = sched_text(m->detail);
    out->message = cc_xasprintf(
        "thread %s, running %s, blocks on %s, which thread %s, running %s, holds: a priority "
        "inversion, since the mutex does not lend its holder the waiter's priority (it is "
        "neither PTHREAD_PRIO_INHERIT nor PTHREAD_PRIO_PROTECT), so any thread of a priority "
        "between the two can keep the holder from running, and the waiter waiting, for as "
        "long as it likes",
        who, waiter_sched, lock, holder, holder_sched);
    out->misuse = cc_xasprintf("Thread %s blocks here, running %s", who, waiter_sched);
    out->related = cc_xasprintf("Locked here by thread %s, which holds it, running %s", holder,
                                holder_sched);
    out->related_role = "held";
    free(waiter_sched);
    free(holder_sched);
}

static void report(cc_analysis_t *a, size_t trace, const cc_trace_misuse_t *m)
{
    const cc_trace_t *t = &a->traces[trace];
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_MISUSE;
    f->kind = kind_name(m);
    f->severity = CC_SEVERITY_ERROR;
    cc_add_thread(a, f, trace, m->thread);
    bool other = m->other_thread != CC_TRACE_NO_THREAD;
    if (other)
        cc_add_thread(a, f, trace, m->other_thread);

    char *lock = lock_text(a, trace, m);
    char *who = cc_thread_label(a, trace, m->thread);
    char *holder =
        other ? cc_thread_label(a, trace, m->other_thread) : cc_xstrdup("another thread");
    bool self = other && m->other_thread == m->thread;
    char *misuse = NULL;  /* title of the offending call's stack */
    char *related = NULL; /* title of the related stack */
    const char *related_role = "held";
    misuse_text_t mine = {0}; /* the thread, semaphore and barrier kinds */

    switch (m->kind) {
    case CC_MISUSE_UNLOCK_NOT_OWNED:
        f->message = cc_xasprintf("unlock of %s by thread %s, which does not hold it: %s%s "
                                  "holds it",
                                  lock, who, other ? "thread " : "", holder);
        misuse = cc_xasprintf("Unlocked here by thread %s, which does not hold it", who);
        related = cc_xasprintf("Locked here by thread %s, which holds it", holder);
        break;
    case CC_MISUSE_DOUBLE_UNLOCK:
        f->message = cc_xasprintf("unlock of %s by thread %s while no thread holds it (unlocked "
                                  "twice, or never locked)",
                                  lock, who);
        misuse = cc_xasprintf("Unlocked here by thread %s while nobody held it", who);
        break;
    case CC_MISUSE_DESTROY_LOCKED:
        f->message = self ? cc_xasprintf("destroy of %s by thread %s while it holds the lock "
                                         "itself",
                                         lock, who)
                          : cc_xasprintf("destroy of %s by thread %s while %s%s holds it", lock,
                                         who, other ? "thread " : "", holder);
        misuse = cc_xasprintf("Destroyed here by thread %s", who);
        related = cc_xasprintf("Locked here by thread %s, which still holds it", holder);
        break;
    case CC_MISUSE_USE_AFTER_DESTROY:
        f->message = other ? cc_xasprintf("use of %s by thread %s after thread %s destroyed it",
                                          lock, who, holder)
                           : cc_xasprintf("use of %s by thread %s after it was destroyed", lock,
                                          who);
        misuse = cc_xasprintf("Used here by thread %s after the destroy", who);
        related = cc_xasprintf("Destroyed here by thread %s", holder);
        related_role = "destroy";
        break;
    case CC_MISUSE_EXIT_HOLDING_LOCK:
        f->message = cc_xasprintf("thread %s %s while holding %s: whoever locks it next waits "
                                  "forever",
                                  who, how_it_ended(t, m->thread), lock);
        misuse = cc_xasprintf("Thread %s exited here holding the lock", who);
        related = cc_xasprintf("Locked here by thread %s and never unlocked", who);
        break;
    case CC_MISUSE_RECURSIVE_WRLOCK:
        f->message = cc_xasprintf("write lock of %s by thread %s, which already holds it: the "
                                  "call waits for the thread itself (glibc blocks forever behind "
                                  "its read lock, or fails with EDEADLK behind its write lock)",
                                  lock, who);
        misuse = cc_xasprintf("Write-locked here by thread %s", who);
        related = cc_xasprintf("Locked earlier here by the same thread, which still holds it");
        break;
    case CC_MISUSE_UNINITIALIZED:
        f->message = cc_xasprintf(
            "lock of %s by thread %s, which was never initialised: its memory holds values no "
            "init call or static initializer leaves%s",
            lock, who,
            m->result == EINVAL ? ", and glibc refused it (the call failed with EINVAL)"
                                : ", yet glibc locked it, going by those values");
        misuse = cc_xasprintf("Locked here by thread %s without an initialisation", who);
        break;
    case CC_MISUSE_ERRORCHECK:
        if (m->result == EDEADLK) {
            f->message = cc_xasprintf("lock of %s by thread %s, which already holds it: the "
                                      "call failed with EDEADLK (an error-checking mutex; a "
                                      "default one would deadlock)",
                                      lock, who);
            misuse = cc_xasprintf("Locked again here by thread %s", who);
            related = cc_xasprintf("Locked earlier here by the same thread, which still holds "
                                   "it");
        } else {
            f->message = cc_xasprintf("unlock of %s by thread %s, which does not own it: the "
                                      "call failed with EPERM%s%s%s",
                                      lock, who, other ? " (thread " : "", other ? holder : "",
                                      other ? " holds it)" : "");
            misuse = cc_xasprintf("Unlocked here by thread %s, which does not own it", who);
            related = cc_xasprintf("Locked here by thread %s, which holds it", holder);
        }
        break;
    case CC_MISUSE_COND_UNHELD_MUTEX: {
        char *cond = cond_text(a, trace, m);
        char *mutex = cond_mutex_text(a, trace, m);
        f->message = cc_xasprintf("wait on %s by thread %s with %s, which the thread does not "
                                  "hold: a wait must be called with its mutex locked, or a "
                                  "signal can come between the thread's check of its condition "
                                  "and its wait; glibc unlocks a default mutex anyway (under "
                                  "whoever holds it) and returns with it locked, and fails an "
                                  "error-checking, recursive or robust one with EPERM",
                                  cond, who, mutex);
        misuse = cc_xasprintf("Waited here by thread %s without holding the mutex", who);
        free(cond);
        free(mutex);
        break;
    }
    case CC_MISUSE_COND_MUTEX_MISMATCH: {
        char *cond = cond_text(a, trace, m);
        char *mutex = cond_mutex_text(a, trace, m);
        f->message = cc_xasprintf("wait on %s by thread %s with %s, while %s%s waits on it with "
                                  "another mutex: waits at the same time must all use one "
                                  "mutex (POSIX leaves anything else undefined), and a thread "
                                  "that changes the condition under one of them is not "
                                  "excluded from the waiters of the other",
                                  cond, who, mutex, other ? "thread " : "", holder);
        misuse = cc_xasprintf("Waited here by thread %s with another mutex than the thread "
                              "already waiting",
                              who);
        related = cc_xasprintf("Thread %s waits here on it, with another mutex", holder);
        related_role = "wait";
        free(cond);
        free(mutex);
        break;
    }
    case CC_MISUSE_DESTROY_WITH_WAITERS: {
        if (m->result == CC_WAIT_SEM || m->result == CC_WAIT_BARRIER) {
            sync_misuse_text(a, trace, m, who, holder, &mine);
            break;
        }
        char *cond = cond_text(a, trace, m);
        f->message = cc_xasprintf("destroy of %s by thread %s while %s%s waits on it: POSIX "
                                  "leaves this undefined; glibc's destroy waits until every "
                                  "waiter has woken (forever, if nothing wakes them), and a "
                                  "waiter that wakes later uses a condition variable that is "
                                  "gone",
                                  cond, who, other ? "thread " : "", holder);
        misuse = cc_xasprintf("Destroyed here by thread %s", who);
        related = cc_xasprintf("Thread %s waits here on it", holder);
        related_role = "wait";
        free(cond);
        break;
    }
    case CC_MISUSE_SIGNAL_UNLOCKED: {
        /* Judged when sent, while threads waited; or, for a signal that
         * found nobody waiting, by the next wait (thread m->thread, no
         * stack of its own), which named the mutex: then other_thread sent
         * it. */
        bool later = m->stack == CC_TRACE_NO_STACK;
        char *cond = cond_text(a, trace, m);
        char *mutex = cond_mutex_text(a, trace, m);
        char *sender = later ? holder : who;
        char *known = later ? cc_xasprintf(" (as thread %s's next wait showed; the signal "
                                           "found nobody waiting)",
                                           who)
                            : cc_xstrdup("");
        f->severity = CC_SEVERITY_WARNING;
        f->message = cc_xasprintf("signal of %s by thread %s without holding %s, the mutex its "
                                  "waiters use%s: unless the condition was changed under that "
                                  "mutex, a waiter that has checked it but not yet begun to "
                                  "wait misses the signal (a lost wakeup)",
                                  cond, sender, mutex, known);
        if (later) {
            related = cc_xasprintf("Signalled here by thread %s without holding the mutex",
                                   sender);
            related_role = "misuse";
        } else {
            misuse = cc_xasprintf("Signalled here by thread %s without holding the mutex",
                                  sender);
            related = cc_xasprintf("Thread %s waited here with the mutex", holder);
            related_role = "wait";
        }
        free(cond);
        free(mutex);
        free(known);
        break;
    }
    case CC_MISUSE_DOUBLE_JOIN:
    case CC_MISUSE_JOIN_DETACHED:
        join_text(a, trace, m, who, holder, &mine);
        break;
    case CC_MISUSE_SEM_INVALID:
    case CC_MISUSE_SEM_OVERFLOW:
    case CC_MISUSE_SEM_BOUND:
        sync_misuse_text(a, trace, m, who, holder, &mine);
        break;
    case CC_MISUSE_HELD_TOO_LONG:
        f->severity = CC_SEVERITY_WARNING;
        hold_text(m, lock, who, &mine);
        break;
    case CC_MISUSE_PRIORITY_INVERSION:
        f->severity = CC_SEVERITY_WARNING;
        inversion_text(m, lock, who, holder, &mine);
        break;
    default:
        break;
    }
    if (mine.message) {
        f->message = mine.message;
        misuse = mine.misuse;
        related = mine.related_other ? NULL : mine.related;
        if (mine.related_role)
            related_role = mine.related_role;
    }
    if (m->stack != CC_TRACE_NO_STACK)
        cc_add_stack(a, f, trace, m->stack, "misuse", misuse, m->thread);
    else
        free(misuse);
    if (related && m->other_stack != CC_TRACE_NO_STACK)
        cc_add_stack(a, f, trace, m->other_stack, related_role, related, m->other_thread);
    else
        free(related);
    if (mine.related_other && m->other_stack != CC_TRACE_NO_STACK)
        cc_add_stack(a, f, trace, m->other_stack, related_role, mine.related, mine.related_thread);
    else if (mine.related_other)
        free(mine.related);
    free(lock);
    free(who);
    free(holder);
}

void cc_analyze_misuse(cc_analysis_t *a)
{
    for (size_t trace = 0; trace < a->n_traces; trace++) {
        const cc_trace_t *t = &a->traces[trace];
        for (size_t i = 0; i < t->n_misuses; i++) {
            const cc_trace_misuse_t *m = &t->misuses[i];
            if (!kind_name(m))
                continue;
            /* The runtime writes few records (each distinct one once), so
             * a quadratic search for an earlier one of the group is fine. */
            bool reported = false;
            for (size_t j = 0; j < i && !reported; j++)
                reported = same_group(&t->misuses[j], m);
            if (!reported)
                report(a, trace, m);
        }
    }
}
