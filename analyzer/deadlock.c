/* Deadlocks that happened: the watchdog's CC_REC_STUCK records, as
 * `deadlock` (threads blocked in a cycle), `self-deadlock` (a thread
 * waiting for itself) and `hang` (every thread blocked, none able to wake
 * another). Each blocked thread comes with the stack it is blocked at and,
 * for a lock, the stack where its holder took it. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "xalloc.h"

static const char *kind_of(uint32_t verdict)
{
    switch (verdict) {
    case CC_STUCK_DEADLOCK: return "deadlock";
    case CC_STUCK_SELF_DEADLOCK: return "self-deadlock";
    default: return "hang";
    }
}

/* Lock ids of the record, numbered from 1 in order of appearance. */
static size_t lock_number(const cc_trace_stuck_t *s, size_t upto, uint64_t lock)
{
    size_t number = 0;
    for (size_t i = 0; i <= upto; i++) {
        uint64_t id = s->threads[i].lock;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= s->threads[j].lock == id;
        if (id && !seen)
            number++;
        if (id == lock && id)
            return number;
    }
    return number;
}

/* "barrier 'ready' (0x...)": with its symbol when it is static. */
static char *object_label(cc_analysis_t *a, size_t trace, const char *what, uint64_t addr)
{
    const char *symbol = cc_function_at(a, trace, addr);
    return symbol ? cc_xasprintf("%s '%s' (%#llx)", what, symbol, (unsigned long long)addr)
                  : cc_xasprintf("%s %#llx", what, (unsigned long long)addr);
}

/* "mutex M1 'a' (0x...)", "barrier 0x...", "a join of T3": what a thread
 * waits on. */
static char *waited_on(cc_analysis_t *a, size_t trace, const cc_trace_stuck_t *s, size_t i)
{
    const cc_stuck_thread_t *w = &s->threads[i];
    switch (w->kind) {
    case CC_WAIT_LOCK:
    case CC_WAIT_READ_LOCK: {
        char *label = cc_lock_label(a, trace, w->lock, lock_number(s, i, w->lock));
        char *text = cc_xasprintf("%s%s", w->kind == CC_WAIT_READ_LOCK ? "a read lock of " : "",
                                  label);
        free(label);
        return text;
    }
    case CC_WAIT_JOIN:
        return w->holder != CC_TRACE_NO_THREAD ? cc_xasprintf("the end of T%u (join)", w->holder)
                                               : cc_xstrdup("the end of a thread (join)");
    case CC_WAIT_BARRIER:
        return object_label(a, trace, "barrier", w->object);
    case CC_WAIT_SEM:
        return object_label(a, trace, "semaphore", w->object);
    case CC_WAIT_COND:
        return object_label(a, trace, "condition variable", w->object);
    default:
        return cc_xstrdup("something");
    }
}

static void report_stuck(cc_analysis_t *a, size_t trace, const cc_trace_stuck_t *s)
{
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_DEADLOCK;
    f->kind = kind_of(s->verdict);
    f->severity = CC_SEVERITY_ERROR;
    char *summary = cc_xstrdup("");
    for (size_t i = 0; i < s->n_threads; i++) {
        const cc_stuck_thread_t *w = &s->threads[i];
        cc_add_thread(a, f, trace, w->tid);
        char *who = cc_thread_label(a, trace, w->tid);
        char *what = waited_on(a, trace, s, i);
        char *holder = w->holder != CC_TRACE_NO_THREAD && w->kind != CC_WAIT_JOIN
                           ? cc_xasprintf(", held by T%u", w->holder)
                           : cc_xstrdup("");
        cc_add_stack(a, f, trace, w->stack, "blocked",
                     cc_xasprintf("%s is blocked here waiting for %s%s", who, what, holder),
                     w->tid);
        if (w->holder != CC_TRACE_NO_THREAD && w->holder_stack != CC_TRACE_NO_STACK) {
            char *by = cc_thread_label(a, trace, w->holder);
            cc_add_stack(a, f, trace, w->holder_stack, "holder",
                         cc_xasprintf("%s was acquired here by %s", what, by), w->holder);
            free(by);
        }
        char *next = cc_xasprintf("%s%sT%u waits for %s%s", summary, i ? "; " : "", w->tid, what,
                                  holder);
        free(summary);
        summary = next;
        free(who);
        free(what);
        free(holder);
    }
    const cc_trace_t *t = &a->traces[trace];
    const char *ending = t->has_end && t->end_reason == CC_END_WATCHDOG
                             ? "; the watchdog ended the process"
                             : "";
    switch (s->verdict) {
    case CC_STUCK_DEADLOCK:
        f->message = cc_xasprintf("deadlock: %zu threads wait for each other in a cycle (%s), "
                                  "blocked for %llu ms%s",
                                  (size_t)s->n_threads, summary,
                                  (unsigned long long)s->blocked_ms, ending);
        break;
    case CC_STUCK_SELF_DEADLOCK:
        f->message = cc_xasprintf("self-deadlock: a thread waits for a lock it holds itself "
                                  "(%s), blocked for %llu ms%s",
                                  summary, (unsigned long long)s->blocked_ms, ending);
        break;
    default:
        f->message = cc_xasprintf("hang: every thread is blocked and none can wake another (%s), "
                                  "blocked for %llu ms%s",
                                  summary, (unsigned long long)s->blocked_ms, ending);
        break;
    }
    free(summary);
}

/* A hang whose condition waits were waiting for a lost signal is reported
 * as the missed notification (analyzer/notification.c), not again here. */
static bool explained_by_missed_signal(const cc_trace_t *t, const cc_trace_stuck_t *s)
{
    if (s->verdict != CC_STUCK_HANG)
        return false;
    for (size_t i = 0; i < t->n_missed; i++)
        if (t->missed[i].how == CC_MISSED_STUCK)
            return true;
    return false;
}

void cc_analyze_deadlocks(cc_analysis_t *a)
{
    for (size_t trace = 0; trace < a->n_traces; trace++)
        for (size_t i = 0; i < a->traces[trace].n_stucks; i++)
            if (!explained_by_missed_signal(&a->traces[trace], &a->traces[trace].stucks[i]))
                report_stuck(a, trace, &a->traces[trace].stucks[i]);
}
