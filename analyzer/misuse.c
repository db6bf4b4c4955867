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
    default: return NULL;
    }
}

/* The stack a finding is grouped by. */
static uint32_t group_stack(const cc_trace_misuse_t *m)
{
    return m->stack != CC_TRACE_NO_STACK ? m->stack : m->other_stack;
}

static bool same_group(const cc_trace_misuse_t *x, const cc_trace_misuse_t *y)
{
    return x->kind == y->kind && (x->kind != CC_MISUSE_ERRORCHECK || x->result == y->result) &&
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
    default:
        break;
    }
    if (m->stack != CC_TRACE_NO_STACK)
        cc_add_stack(a, f, trace, m->stack, "misuse", misuse, m->thread);
    else
        free(misuse);
    if (related && m->other_stack != CC_TRACE_NO_STACK)
        cc_add_stack(a, f, trace, m->other_stack, related_role, related, m->other_thread);
    else
        free(related);
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
