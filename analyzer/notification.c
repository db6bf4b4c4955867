/* Missed notifications: the runtime's CC_REC_MISSED_SIGNAL records, a
 * condition wait that waited for a signal sent (and lost, nobody waiting)
 * before it began. One finding per (condition variable, wait stack). The
 * usual cause is a signal sent without holding the mutex, or a wait with no
 * predicate to check first; the message says which applies when it can. */
#include <stdlib.h>

#include "analysis.h"
#include "xalloc.h"

static const char *ending(uint32_t how)
{
    switch (how) {
    case CC_MISSED_TIMED_OUT: return "timed out";
    case CC_MISSED_AT_EXIT: return "was still blocked when the process ended";
    default: return "was stuck until the watchdog ended the process";
    }
}

/* "condition variable 'ready' (0x...)", with its symbol when static. */
static char *object_text(cc_analysis_t *a, size_t trace, const char *what, uint64_t addr)
{
    const char *symbol = addr ? cc_function_at(a, trace, addr) : NULL;
    return symbol ? cc_xasprintf("%s '%s' (%#llx)", what, symbol, (unsigned long long)addr)
                  : cc_xasprintf("%s %#llx", what, (unsigned long long)addr);
}

static bool seen_before(const cc_trace_t *t, size_t upto)
{
    const cc_rec_missed_signal_t *m = &t->missed[upto];
    for (size_t i = 0; i < upto; i++)
        if (t->missed[i].cond == m->cond && t->missed[i].wait_stack == m->wait_stack)
            return true;
    return false;
}

static void report(cc_analysis_t *a, size_t trace, const cc_rec_missed_signal_t *m)
{
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_NOTIFICATION;
    f->kind = "missed-notification";
    f->severity = CC_SEVERITY_ERROR;
    char *waiter = cc_thread_label(a, trace, m->waiter);
    char *signaller = cc_thread_label(a, trace, m->lost_thread);
    char *cond = object_text(a, trace, "condition variable", m->cond);
    char *mutex = object_text(a, trace, "mutex", m->mutex);
    const char *cause = m->lost_held == 0 ? "; it was sent without holding the mutex, so it could "
                                            "come between the waiter's check and its wait"
                        : m->lost_held == 1 ? "; the waiter did not check a predicate before waiting"
                                            : "";
    f->message = cc_xasprintf("missed notification: %s waited on %s for a signal that %s had "
                              "already sent while nobody waited (a lost wakeup); the wait %s%s",
                              waiter, cond, signaller, ending(m->how), cause);
    cc_add_thread(a, f, trace, m->waiter);
    cc_add_thread(a, f, trace, m->lost_thread);
    cc_add_stack(a, f, trace, m->wait_stack, "wait",
                 cc_xasprintf("%s waited here on %s, with %s", waiter, cond, mutex), m->waiter);
    cc_add_stack(a, f, trace, m->lost_stack, "lost-signal",
                 cc_xasprintf("the signal was sent here by %s, before the wait began%s", signaller,
                              m->lost_held == 0 ? ", without holding the mutex" : ""),
                 m->lost_thread);
    free(waiter);
    free(signaller);
    free(cond);
    free(mutex);
}

void cc_analyze_notifications(cc_analysis_t *a)
{
    for (size_t trace = 0; trace < a->n_traces; trace++)
        for (size_t i = 0; i < a->traces[trace].n_missed; i++)
            if (!seen_before(&a->traces[trace], i))
                report(a, trace, &a->traces[trace].missed[i]);
}
