/* Text output, in the shape sanitizer users already read:
 *
 *   ==ccheck== ERROR: lock-order-inversion (deadlock)
 *     <message>
 *     <stack title>:
 *       #0 function file:line (module+0xoffset) [inlined]
 *
 *   ==ccheck== warning: <trace>: <why its findings may be incomplete>
 *   SUMMARY: ccheck: 2 findings (1 deadlock, 1 thread) in 1 trace
 *
 * Frames are numbered per stack, every frame of an inlined chain included,
 * so "#N" counts lines as in sanitizer reports. A stack with no frames is
 * its title alone, without the colon. */
#include "output_common.h"

#include <inttypes.h>

static void print_frame(FILE *out, size_t index, const cc_frame_t *frame)
{
    fprintf(out, "    #%zu %s", index, frame->function ? frame->function : "<unknown>");
    if (frame->file) {
        fprintf(out, " %s", frame->file);
        if (frame->line > 0)
            fprintf(out, ":%d", frame->line);
    }
    /* Without a module the offset means nothing; the absolute pc is all the
     * reader can take to a debugger. */
    if (frame->module)
        fprintf(out, " (%s+0x%" PRIx64 ")", cc_output_basename(frame->module),
                frame->module_offset);
    else
        fprintf(out, " (0x%" PRIx64 ")", frame->pc);
    fputs(frame->inlined ? " [inlined]\n" : "\n", out);
}

static void print_finding(FILE *out, const cc_finding_t *finding)
{
    fprintf(out, "==ccheck== %s: %s (%s)\n",
            finding->severity == CC_SEVERITY_WARNING ? "WARNING" : "ERROR",
            finding->kind ? finding->kind : "?", finding->category ? finding->category : "?");
    if (finding->message)
        fprintf(out, "  %s\n", finding->message);
    for (size_t s = 0; s < finding->n_stacks; s++) {
        const cc_report_stack_t *stack = &finding->stacks[s];
        /* A stack with no frames is a line of its own (a race's location, an
         * access whose stack was not kept): no colon announcing frames. */
        fprintf(out, "  %s%s\n", stack->title ? stack->title : stack->role ? stack->role : "stack",
                stack->n_frames ? ":" : "");
        for (size_t f = 0; f < stack->n_frames; f++)
            print_frame(out, f, &stack->frames[f]);
    }
}

static void print_summary(FILE *out, const cc_report_t *report)
{
    cc_output_summary_t summary;
    cc_output_summarize(report, &summary);
    const char *traces = report->n_traces == 1 ? "trace" : "traces";

    if (report->n_findings == 0) {
        fprintf(out, "SUMMARY: ccheck: no findings in %zu %s\n", report->n_traces, traces);
        return;
    }
    fprintf(out, "SUMMARY: ccheck: %zu %s", report->n_findings,
            report->n_findings == 1 ? "finding" : "findings");
    const char *sep = " (";
    for (size_t c = 0; c < CC_N_CATEGORIES; c++) {
        if (summary.by_category[c] == 0)
            continue;
        fprintf(out, "%s%zu %s", sep, summary.by_category[c], cc_output_categories[c]);
        sep = ", ";
    }
    /* sep still " (" means every finding had a category outside the set. */
    fprintf(out, "%s in %zu %s\n", sep[0] == ',' ? ")" : "", report->n_traces, traces);
}

int cc_output_text(const cc_report_t *report, FILE *out)
{
    /* Each finding ends with a blank line: it separates findings from each
     * other and the last one from the trailer. */
    for (size_t i = 0; i < report->n_findings; i++) {
        print_finding(out, &report->findings[i]);
        fputc('\n', out);
    }
    for (size_t i = 0; i < report->n_traces; i++) {
        const char *note = cc_output_trace_note(&report->traces[i]);
        if (note)
            fprintf(out, "==ccheck== warning: %s: %s\n",
                    report->traces[i].path ? report->traces[i].path : "?", note);
    }
    print_summary(out, report);
    return cc_output_finish(out);
}
