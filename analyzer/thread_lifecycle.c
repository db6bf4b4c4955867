/* Thread lifecycle at process end: threads that finished but were never
 * joined (`unjoined-thread`) and threads still running when the process
 * ended (`thread-running-at-exit`), detached ones included: their work is
 * cut off.
 *
 * Only a trace whose process ended through exit, _exit or exec is judged: a
 * trace with no end record (killed, or cut short) cannot say what was still
 * running, and after a fatal signal the crash is the news. Threads created
 * at one place are reported together, so a leak in a loop is one finding.
 *
 * A thread that was blocked in a condition-variable, semaphore, barrier or
 * join wait when the process ended was idle (an idle pool worker, say):
 * ending it loses no work, so it is not reported as running. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "xalloc.h"

typedef enum leak_kind { LEAK_NONE, LEAK_UNJOINED, LEAK_RUNNING } leak_kind_t;

static leak_kind_t classify(const cc_trace_t *t, const cc_trace_thread_t *th)
{
    if (!th->created)
        return LEAK_NONE; /* the main thread, or one we did not see start */
    if (!th->exited || th->exit_seq > t->end_seq)
        return th->waiting_at_end != CC_WAIT_NONE ? LEAK_NONE : LEAK_RUNNING;
    if (!th->joined && !th->detached)
        return LEAK_UNJOINED;
    return LEAK_NONE;
}

static char *describe(cc_analysis_t *a, size_t trace, leak_kind_t kind, const uint32_t *tids,
                      size_t n, bool detached)
{
    char *who = cc_thread_label(a, trace, tids[0]);
    char *text;
    if (kind == LEAK_UNJOINED)
        text = n == 1 ? cc_xasprintf("thread %s finished but was never joined", who)
                      : cc_xasprintf("%zu threads created at the same place (first %s) finished "
                                     "but were never joined",
                                     n, who);
    else if (n == 1)
        text = cc_xasprintf("%s thread %s was still running at exit; its work was cut off",
                            detached ? "detached" : "joinable", who);
    else
        text = cc_xasprintf("%zu threads created at the same place (first %s) were still "
                            "running at exit; their work was cut off",
                            n, who);
    free(who);
    return text;
}

static void report_group(cc_analysis_t *a, size_t trace, leak_kind_t kind, const uint32_t *tids,
                         size_t n)
{
    const cc_trace_t *t = &a->traces[trace];
    const cc_trace_thread_t *first = cc_trace_find_thread(t, tids[0]);
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_THREAD;
    f->kind = kind == LEAK_UNJOINED ? "unjoined-thread" : "thread-running-at-exit";
    f->severity = CC_SEVERITY_WARNING;
    f->message = describe(a, trace, kind, tids, n, first->detached);
    for (size_t i = 0; i < n; i++)
        cc_add_thread(a, f, trace, tids[i]);
    char *creator = cc_thread_label(a, trace, first->creator);
    cc_add_stack(a, f, trace, first->create_stack, "create",
                 cc_xasprintf("Thread T%u created by %s here", first->tid, creator), first->tid);
    free(creator);
}

static void analyze_trace(cc_analysis_t *a, size_t trace)
{
    const cc_trace_t *t = &a->traces[trace];
    if (!t->has_end || t->end_reason == CC_END_SIGNAL)
        return;
    uint32_t *group = cc_xcalloc(t->n_threads, sizeof *group);
    bool *done = cc_xcalloc(t->n_threads, sizeof *done);
    for (size_t i = 0; i < t->n_threads; i++) {
        leak_kind_t kind = classify(t, &t->threads[i]);
        if (done[i] || kind == LEAK_NONE)
            continue;
        size_t n = 0;
        for (size_t j = i; j < t->n_threads; j++) {
            const cc_trace_thread_t *other = &t->threads[j];
            if (!done[j] && classify(t, other) == kind &&
                other->create_stack == t->threads[i].create_stack &&
                other->detached == t->threads[i].detached) {
                done[j] = true;
                group[n++] = other->tid;
            }
        }
        report_group(a, trace, kind, group, n);
    }
    free(group);
    free(done);
}

void cc_analyze_thread_lifecycle(cc_analysis_t *a)
{
    for (size_t i = 0; i < a->n_traces; i++)
        analyze_trace(a, i);
}
