/* JSON output: the report model as one object, for scripts and other tools.
 * The shape is a contract (design.md, "Finding categories and JSON"): keys
 * appear in the order written here, unknown values are null rather than
 * absent, and addresses are "0x..." strings because 64-bit values do not
 * survive JSON parsers that read numbers as doubles. */
#include "output_common.h"

#include <json-c/json.h>

static json_object *frame_json(const cc_frame_t *frame)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "function", cc_json_string(frame->function));
    cc_json_set(o, "file", cc_json_string(frame->file));
    cc_json_set(o, "line", frame->line > 0 ? cc_json_int(frame->line) : NULL);
    cc_json_set(o, "module", cc_json_string(frame->module));
    cc_json_set(o, "pc", cc_json_hex(frame->pc));
    cc_json_set(o, "module_offset", cc_json_hex(frame->module_offset));
    cc_json_set(o, "inlined", cc_json_bool(frame->inlined));
    return o;
}

static json_object *stack_json(const cc_report_stack_t *stack)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "role", cc_json_string(stack->role));
    cc_json_set(o, "title", cc_json_string(stack->title));
    cc_json_set(o, "thread", cc_json_int(stack->thread));
    cc_json_set(o, "pid", cc_json_int(stack->pid));
    json_object *frames = cc_json_array();
    for (size_t i = 0; i < stack->n_frames; i++)
        cc_json_push(frames, frame_json(&stack->frames[i]));
    cc_json_set(o, "frames", frames);
    return o;
}

static json_object *thread_json(const cc_report_thread_t *thread)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "id", cc_json_int(thread->id));
    cc_json_set(o, "pid", cc_json_int(thread->pid));
    cc_json_set(o, "start_function", cc_json_string(thread->start_function));
    return o;
}

static json_object *finding_json(const cc_finding_t *finding)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "category", cc_json_string(finding->category));
    cc_json_set(o, "kind", cc_json_string(finding->kind));
    cc_json_set(o, "severity", cc_json_string(cc_severity_name(finding->severity)));
    cc_json_set(o, "message", cc_json_string(finding->message));
    json_object *threads = cc_json_array();
    for (size_t i = 0; i < finding->n_threads; i++)
        cc_json_push(threads, thread_json(&finding->threads[i]));
    cc_json_set(o, "threads", threads);
    json_object *stacks = cc_json_array();
    for (size_t i = 0; i < finding->n_stacks; i++)
        cc_json_push(stacks, stack_json(&finding->stacks[i]));
    cc_json_set(o, "stacks", stacks);
    return o;
}

static json_object *trace_json(const cc_report_trace_t *trace)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "path", cc_json_string(trace->path));
    cc_json_set(o, "pid", cc_json_int(trace->pid));
    cc_json_set(o, "exe", cc_json_string(trace->exe));
    cc_json_set(o, "truncated", cc_json_bool(trace->truncated));
    cc_json_set(o, "complete", cc_json_bool(trace->complete));
    return o;
}

/* Every category is listed, zeros included, so consumers need no defaults. */
static json_object *summary_json(const cc_report_t *report)
{
    cc_output_summary_t summary;
    cc_output_summarize(report, &summary);
    json_object *o = cc_json_object();
    cc_json_set(o, "findings", cc_json_int((int64_t)report->n_findings));
    json_object *by_category = cc_json_object();
    for (size_t c = 0; c < CC_N_CATEGORIES; c++)
        cc_json_set(by_category, cc_output_categories[c],
                    cc_json_int((int64_t)summary.by_category[c]));
    cc_json_set(o, "by_category", by_category);
    cc_json_set(o, "traces", cc_json_int((int64_t)report->n_traces));
    cc_json_set(o, "truncated_traces", cc_json_int((int64_t)summary.truncated_traces));
    return o;
}

int cc_output_json(const cc_report_t *report, FILE *out)
{
    json_object *root = cc_json_object();
    cc_json_set(root, "tool", cc_json_string("ccheck"));
    cc_json_set(root, "version", cc_json_string(report->tool_version));
    json_object *traces = cc_json_array();
    for (size_t i = 0; i < report->n_traces; i++)
        cc_json_push(traces, trace_json(&report->traces[i]));
    cc_json_set(root, "traces", traces);
    json_object *findings = cc_json_array();
    for (size_t i = 0; i < report->n_findings; i++)
        cc_json_push(findings, finding_json(&report->findings[i]));
    cc_json_set(root, "findings", findings);
    cc_json_set(root, "summary", summary_json(report));
    return cc_json_write(root, out);
}
