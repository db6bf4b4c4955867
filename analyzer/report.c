/* The report model's helpers: growing its arrays and freeing it.
 *
 * Ownership (what cc_report_free releases):
 *   - report->findings, and for each finding its threads and stacks arrays,
 *     and each stack's frames array: heap arrays owned by the report.
 *   - finding->message and stack->title: heap strings owned by their finding
 *     (strdup / asprintf them before storing).
 *   - report->traces and each trace's path and exe: owned by the report.
 * Not released, because something else owns them:
 *   - finding->category, finding->kind, stack->role and report->tool_version:
 *     string literals.
 *   - thread->start_function and every string inside a cc_frame_t: owned by
 *     the symbolizer, which must outlive the report's last output.
 * The cc_report_t itself belongs to the caller (often on the stack); it is
 * left zeroed, ready for reuse. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char *cc_severity_name(cc_severity_t severity)
{
    return severity == CC_SEVERITY_WARNING ? "warning" : "error";
}

cc_finding_t *cc_report_add_finding(cc_report_t *report)
{
    /* Findings can number in the thousands (one per racy pair, say), so the
     * array grows geometrically; it is the only array with a capacity field. */
    if (report->n_findings == report->cap_findings) {
        size_t cap = report->cap_findings ? report->cap_findings * 2 : 16;
        report->findings = cc_xreallocarray(report->findings, cap, sizeof *report->findings);
        report->cap_findings = cap;
    }
    cc_finding_t *finding = &report->findings[report->n_findings++];
    memset(finding, 0, sizeof *finding);
    return finding;
}

/* Stacks and threads have no capacity field and stay few per finding (two
 * for a race, one per thread in a cycle), so each append reallocates to the
 * exact size. This also keeps arrays that a caller allocated by hand valid. */
cc_report_stack_t *cc_finding_add_stack(cc_finding_t *finding)
{
    finding->stacks = cc_xreallocarray(finding->stacks, finding->n_stacks + 1, sizeof *finding->stacks);
    cc_report_stack_t *stack = &finding->stacks[finding->n_stacks++];
    memset(stack, 0, sizeof *stack);
    return stack;
}

cc_report_thread_t *cc_finding_add_thread(cc_finding_t *finding)
{
    finding->threads = cc_xreallocarray(finding->threads, finding->n_threads + 1, sizeof *finding->threads);
    cc_report_thread_t *thread = &finding->threads[finding->n_threads++];
    memset(thread, 0, sizeof *thread);
    return thread;
}

/* The model's string fields are const for the readers (the output formats);
 * the ones the finding owns were allocated by the analysis that filled it. */
static void free_owned(const char *s)
{
    free((void *)s);
}

static void free_finding(cc_finding_t *finding)
{
    free_owned(finding->message);
    for (size_t i = 0; i < finding->n_stacks; i++) {
        free_owned(finding->stacks[i].title);
        free(finding->stacks[i].frames);
    }
    free(finding->stacks);
    free(finding->threads);
}

void cc_report_free(cc_report_t *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->n_findings; i++)
        free_finding(&report->findings[i]);
    free(report->findings);
    for (size_t i = 0; i < report->n_traces; i++) {
        free_owned(report->traces[i].path);
        free_owned(report->traces[i].exe);
    }
    free(report->traces);
    memset(report, 0, sizeof *report);
}
