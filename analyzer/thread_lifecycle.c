/* Thread lifecycle at process end: threads that finished but were never
 * joined (`unjoined-thread`) and threads still running when the process
 * ended (`thread-running-at-exit`), detached ones included: their work is
 * cut off. A process whose main thread called pthread_exit ends when its
 * last thread does, through exit(0) from that thread: the others had
 * finished by then, so they are judged as joined or not, never as cut off.
 *
 * Only a trace whose process ended through exit, _exit or exec is judged: a
 * trace with no end record (killed, or cut short) cannot say what was still
 * running, and after a fatal signal, or when the watchdog ended a deadlocked
 * process, the crash or the deadlock is the news. Threads created
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

/* The module that maps a return address, or NULL. */
static const cc_module_info_t *module_at(const cc_trace_t *t, uint64_t pc)
{
    for (size_t i = 0; i < t->n_modules; i++)
        if (pc - 1 >= t->modules[i].start && pc - 1 < t->modules[i].end)
            return &t->modules[i];
    return NULL;
}

/* `--suppress-threads-from`: the thread was created by code of a module the
 * user named, going by the innermost frame of its creation stack that lies
 * in a known module (the caller of pthread_create, unless that is
 * generated code). */
static bool suppressed(const cc_analysis_t *a, const cc_trace_t *t, const cc_trace_thread_t *th)
{
    const cc_trace_stack_t *s = a->n_suppress_threads ? cc_trace_find_stack(t, th->create_stack)
                                                      : NULL;
    for (uint32_t i = 0; s && i < s->depth; i++) {
        const cc_module_info_t *m = module_at(t, s->pcs[i]);
        if (!m)
            continue;
        for (size_t k = 0; k < a->n_suppress_threads; k++)
            if (strstr(m->path, a->suppress_threads[k]))
                return true;
        return false;
    }
    return false;
}

static leak_kind_t classify(const cc_trace_t *t, const cc_trace_thread_t *th)
{
    if (!th->created)
        return LEAK_NONE; /* the main thread, or one we did not see start */
    if (th->tid == t->end_thread && !th->exited)
        return LEAK_NONE; /* it ended the process itself (exit, a fatal signal) */
    if (!th->exited || th->exit_seq > t->end_seq)
        return th->waiting_at_end != CC_WAIT_NONE ? LEAK_NONE : LEAK_RUNNING;
    if (!th->joined && !th->detached)
        return LEAK_UNJOINED;
    return LEAK_NONE;
}

/* "worker(), created at pool.c:40" from the thread's start function and the
 * first frame of its creation stack that has a source line. */
static char *origin_of(cc_analysis_t *a, size_t trace, const cc_trace_thread_t *th,
                       const cc_report_stack_t *create)
{
    const char *fn = cc_function_at(a, trace, th->start_pc);
    const cc_frame_t *site = NULL;
    for (size_t i = 0; i < create->n_frames && !site; i++)
        if (create->frames[i].file && create->frames[i].line)
            site = &create->frames[i];
    const char *file = site ? strrchr(site->file, '/') : NULL;
    file = file ? file + 1 : site ? site->file : NULL;
    if (fn && site)
        return cc_xasprintf("running %s(), created at %s:%d,", fn, file, site->line);
    if (fn)
        return cc_xasprintf("running %s(),", fn);
    if (site)
        return cc_xasprintf("created at %s:%d,", file, site->line);
    return cc_xstrdup("");
}

/* "T1, T2, T3" (at most eight, then "..."). */
static char *thread_list(const uint32_t *tids, size_t n)
{
    char *list = cc_xstrdup("");
    for (size_t i = 0; i < n && i < 8; i++) {
        char *next = cc_xasprintf("%s%sT%u", list, i ? ", " : "", tids[i]);
        free(list);
        list = next;
    }
    if (n > 8) {
        char *next = cc_xasprintf("%s, ...", list);
        free(list);
        list = next;
    }
    return list;
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
    for (size_t i = 0; i < n; i++)
        cc_add_thread(a, f, trace, tids[i]);
    char *creator = cc_thread_label(a, trace, first->creator);
    cc_add_stack(a, f, trace, first->create_stack, "create",
                 cc_xasprintf("Thread T%u created by %s here", first->tid, creator), first->tid);
    free(creator);

    char *origin = origin_of(a, trace, first, &f->stacks[0]);
    char *list = thread_list(tids, n);
    const char *joinable = first->detached ? "detached" : "joinable";
    if (kind == LEAK_UNJOINED && n == 1)
        f->message = cc_xasprintf("thread %s %s finished but was never joined", list, origin);
    else if (kind == LEAK_UNJOINED)
        f->message = cc_xasprintf("%zu threads %s finished but were never joined (%s)", n, origin,
                                  list);
    else if (n == 1)
        f->message = cc_xasprintf("%s thread %s %s was still running at exit; its work was cut "
                                  "off",
                                  joinable, list, origin);
    else
        f->message = cc_xasprintf("%zu %s threads %s were still running at exit; their work was "
                                  "cut off (%s)",
                                  n, joinable, origin, list);
    free(origin);
    free(list);
}

static void analyze_trace(cc_analysis_t *a, size_t trace)
{
    const cc_trace_t *t = &a->traces[trace];
    if (!t->has_end || t->end_reason == CC_END_SIGNAL || t->end_reason == CC_END_WATCHDOG)
        return;
    uint32_t *group = cc_xcalloc(t->n_threads, sizeof *group);
    bool *done = cc_xcalloc(t->n_threads, sizeof *done);
    for (size_t i = 0; i < t->n_threads; i++) {
        leak_kind_t kind = classify(t, &t->threads[i]);
        if (done[i] || kind == LEAK_NONE || suppressed(a, t, &t->threads[i]))
            continue;
        size_t n = 0;
        for (size_t j = i; j < t->n_threads; j++) {
            const cc_trace_thread_t *other = &t->threads[j];
            if (!done[j] && classify(t, other) == kind &&
                other->create_stack == t->threads[i].create_stack &&
                other->start_pc == t->threads[i].start_pc &&
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
