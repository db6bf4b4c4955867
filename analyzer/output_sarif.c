/* SARIF 2.1.0 output, what CI code-scanning services ingest: one run, one
 * rule per kind of finding seen, one result per finding.
 *
 * A result points at the first frame with a source file of its first stack
 * (the access, the acquisition, the stuck wait: where the user looks first);
 * the other stacks become relatedLocations titled like the text output, and
 * every stack is also given whole in the result's "stacks". Traces whose
 * findings may be incomplete become tool execution notifications. */
#include "output_common.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* One line per kind for the rule's shortDescription; a kind not listed here
 * is described by its own name. */
static const struct {
    const char *kind;
    const char *text;
} rule_texts[] = {
    {"lock-order-inversion", "Locks are acquired in inconsistent orders (potential deadlock)"},
    {"deadlock", "Threads are blocked in a cycle (deadlock)"},
    {"self-deadlock", "A thread blocks on a lock it already holds"},
    {"hang", "All live threads are blocked with nothing left to wake them"},
    {"data-race", "Conflicting accesses to memory not ordered by synchronization"},
    {"missed-notification", "A condition variable was signalled before the wait began (lost wakeup)"},
    {"unjoined-thread", "A joinable thread finished but was never joined"},
    {"thread-running-at-exit", "A thread was still running when the process exited"},
    {"unlock-not-owned", "A lock is unlocked by a thread that does not own it"},
    {"double-unlock", "A lock is unlocked while not locked"},
    {"destroy-locked", "A locked lock is destroyed"},
    {"use-after-destroy", "A synchronization object is used after it was destroyed"},
    {"exit-holding-lock", "A thread exited while holding a lock"},
    {"cond-wait-unheld-mutex", "A condition wait is given a mutex the thread does not hold"},
    {"cond-mutex-mismatch", "A condition variable is used with different mutexes"},
    {"double-join", "A thread is joined twice"},
    {"join-detached", "A detached thread is joined"},
    {"destroy-with-waiters", "An object is destroyed while threads wait on it"},
    {"sem-overflow", "A semaphore is posted past SEM_VALUE_MAX"},
    {"sem-invalid", "A semaphore is used after its destroy, or without an initialisation"},
    {"sem-bound-exceeded", "A semaphore is posted above the value it was initialised with"},
    {"lock-held-too-long", "A lock is held longer than the threshold (blocking while holding it)"},
    {"priority-inversion", "A real-time thread blocks on a lower-priority thread's mutex"},
};

static const char *rule_text(const char *kind)
{
    for (size_t i = 0; i < sizeof rule_texts / sizeof rule_texts[0]; i++)
        if (strcmp(rule_texts[i].kind, kind) == 0)
            return rule_texts[i].text;
    return kind;
}

/* Every result needs a ruleId; a finding an analysis forgot to classify
 * still gets one. */
static const char *kind_of(const cc_finding_t *finding)
{
    return finding->kind ? finding->kind : "unknown";
}

/* The rule index of the finding's kind in rules, adding the rule on first sight. Kinds are
 * few, so a linear search of the rules built so far beats keeping a map. */
static size_t rule_index(json_object *rules, const cc_finding_t *finding)
{
    size_t n = json_object_array_length(rules);
    for (size_t i = 0; i < n; i++) {
        json_object *id = json_object_object_get(json_object_array_get_idx(rules, i), "id");
        if (strcmp(json_object_get_string(id), kind_of(finding)) == 0)
            return i;
    }
    json_object *rule = cc_json_object();
    cc_json_set(rule, "id", cc_json_string(kind_of(finding)));
    json_object *description = cc_json_object();
    cc_json_set(description, "text", cc_json_string(rule_text(kind_of(finding))));
    cc_json_set(rule, "shortDescription", description);
    json_object *properties = cc_json_object();
    cc_json_set(properties, "category", cc_json_string(finding->category));
    cc_json_set(rule, "properties", properties);
    cc_json_push(rules, rule);
    return n;
}

static json_object *message_json(const char *text)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "text", cc_json_string(text ? text : ""));
    return o;
}

/* A file path as a URI reference: absolute paths get the file scheme (CI
 * uploaders relativize those against the checkout), and every byte outside
 * the unreserved set and '/' is percent-encoded so spaces or ':' in a path
 * cannot change its meaning. */
static json_object *uri_json(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(path);
    char *uri = malloc(sizeof "file://" + 3 * len);
    if (!uri) {
        fprintf(stderr, "ccheck: out of memory building SARIF output\n");
        abort();
    }
    char *p = uri;
    if (path[0] == '/')
        p = stpcpy(p, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~/", *s)) {
            *p++ = (char)*s;
        } else {
            *p++ = '%';
            *p++ = hex[*s >> 4];
            *p++ = hex[*s & 15];
        }
    }
    *p = '\0';
    json_object *o = cc_json_string(uri);
    free(uri);
    return o;
}

/* Only for frames with a file: SARIF requires an artifact (or an address). */
static json_object *physical_location_json(const cc_frame_t *frame)
{
    json_object *o = cc_json_object();
    json_object *artifact = cc_json_object();
    cc_json_set(artifact, "uri", uri_json(frame->file));
    cc_json_set(o, "artifactLocation", artifact);
    if (frame->line > 0) { /* SARIF lines start at 1 */
        json_object *region = cc_json_object();
        cc_json_set(region, "startLine", cc_json_int(frame->line));
        cc_json_set(o, "region", region);
    }
    return o;
}

static const cc_frame_t *first_frame_with_file(const cc_report_stack_t *stack)
{
    for (size_t i = 0; i < stack->n_frames; i++)
        if (stack->frames[i].file)
            return &stack->frames[i];
    return NULL;
}

static json_object *stack_frame_json(const cc_report_stack_t *stack, const cc_frame_t *frame)
{
    json_object *location = cc_json_object();
    if (frame->file)
        cc_json_set(location, "physicalLocation", physical_location_json(frame));
    if (frame->function) {
        json_object *logical = cc_json_object();
        cc_json_set(logical, "fullyQualifiedName", cc_json_string(frame->function));
        cc_json_set(logical, "kind", cc_json_string("function"));
        json_object *logicals = cc_json_array();
        cc_json_push(logicals, logical);
        cc_json_set(location, "logicalLocations", logicals);
    }
    json_object *o = cc_json_object();
    cc_json_set(o, "location", location);
    if (frame->module)
        cc_json_set(o, "module", cc_json_string(frame->module));
    cc_json_set(o, "threadId", cc_json_int(stack->thread));
    /* Addresses as in the JSON output, for frames nothing else identifies. */
    json_object *properties = cc_json_object();
    cc_json_set(properties, "pc", cc_json_hex(frame->pc));
    cc_json_set(properties, "module_offset", cc_json_hex(frame->module_offset));
    cc_json_set(properties, "inlined", cc_json_bool(frame->inlined));
    cc_json_set(o, "properties", properties);
    return o;
}

static json_object *stack_json(const cc_report_stack_t *stack)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "message", message_json(stack->title ? stack->title : stack->role));
    json_object *frames = cc_json_array();
    for (size_t i = 0; i < stack->n_frames; i++)
        cc_json_push(frames, stack_frame_json(stack, &stack->frames[i]));
    cc_json_set(o, "frames", frames);
    json_object *properties = cc_json_object();
    cc_json_set(properties, "role", cc_json_string(stack->role));
    cc_json_set(properties, "pid", cc_json_int(stack->pid));
    cc_json_set(o, "properties", properties);
    return o;
}

/* The primary location: the first stack's first frame with a file, or, when
 * that stack has none (all in stripped libraries), the first later stack's,
 * since code-scanning services drop results without a location. */
static void add_locations(json_object *result, const cc_finding_t *finding)
{
    const cc_frame_t *primary = NULL;
    for (size_t s = 0; s < finding->n_stacks && !primary; s++)
        primary = first_frame_with_file(&finding->stacks[s]);
    if (primary) {
        json_object *location = cc_json_object();
        cc_json_set(location, "physicalLocation", physical_location_json(primary));
        json_object *locations = cc_json_array();
        cc_json_push(locations, location);
        cc_json_set(result, "locations", locations);
    }

    json_object *related = cc_json_array();
    for (size_t s = 1; s < finding->n_stacks; s++) {
        const cc_report_stack_t *stack = &finding->stacks[s];
        const cc_frame_t *frame = first_frame_with_file(stack);
        if (!frame)
            continue;
        json_object *location = cc_json_object();
        cc_json_set(location, "id", cc_json_int((int64_t)s)); /* unique within the result */
        cc_json_set(location, "physicalLocation", physical_location_json(frame));
        cc_json_set(location, "message", message_json(stack->title ? stack->title : stack->role));
        cc_json_push(related, location);
    }
    if (json_object_array_length(related) > 0)
        cc_json_set(result, "relatedLocations", related);
    else
        json_object_put(related);
}

static json_object *result_json(json_object *rules, const cc_finding_t *finding)
{
    json_object *o = cc_json_object();
    cc_json_set(o, "ruleId", cc_json_string(kind_of(finding)));
    cc_json_set(o, "ruleIndex", cc_json_int((int64_t)rule_index(rules, finding)));
    cc_json_set(o, "level", cc_json_string(cc_severity_name(finding->severity)));
    cc_json_set(o, "message", message_json(finding->message));
    add_locations(o, finding);
    json_object *stacks = cc_json_array();
    for (size_t s = 0; s < finding->n_stacks; s++)
        cc_json_push(stacks, stack_json(&finding->stacks[s]));
    cc_json_set(o, "stacks", stacks);
    json_object *properties = cc_json_object();
    cc_json_set(properties, "category", cc_json_string(finding->category));
    cc_json_set(o, "properties", properties);
    return o;
}

/* The analysis itself succeeded even on a cut-short trace; the notifications
 * tell why some findings may be missing. */
static json_object *invocation_json(const cc_report_t *report)
{
    json_object *notifications = cc_json_array();
    for (size_t i = 0; i < report->n_traces; i++) {
        const cc_report_trace_t *trace = &report->traces[i];
        const char *note = cc_output_trace_note(trace);
        if (!note)
            continue;
        char *text;
        if (asprintf(&text, "%s: %s", trace->path ? trace->path : "?", note) < 0) {
            fprintf(stderr, "ccheck: out of memory building SARIF output\n");
            abort();
        }
        json_object *notification = cc_json_object();
        cc_json_set(notification, "level", cc_json_string("warning"));
        cc_json_set(notification, "message", message_json(text));
        free(text);
        cc_json_push(notifications, notification);
    }
    json_object *o = cc_json_object();
    cc_json_set(o, "executionSuccessful", cc_json_bool(true));
    cc_json_set(o, "toolExecutionNotifications", notifications);
    return o;
}

int cc_output_sarif(const cc_report_t *report, FILE *out)
{
    json_object *rules = cc_json_array();
    json_object *results = cc_json_array();
    for (size_t i = 0; i < report->n_findings; i++)
        cc_json_push(results, result_json(rules, &report->findings[i]));

    json_object *driver = cc_json_object();
    cc_json_set(driver, "name", cc_json_string("ccheck"));
    if (report->tool_version) /* SARIF wants a string or nothing */
        cc_json_set(driver, "version", cc_json_string(report->tool_version));
    cc_json_set(driver, "rules", rules);
    json_object *tool = cc_json_object();
    cc_json_set(tool, "driver", driver);
    json_object *invocations = cc_json_array();
    cc_json_push(invocations, invocation_json(report));

    json_object *run = cc_json_object();
    cc_json_set(run, "tool", tool);
    cc_json_set(run, "invocations", invocations);
    cc_json_set(run, "results", results);
    json_object *runs = cc_json_array();
    cc_json_push(runs, run);

    json_object *root = cc_json_object();
    cc_json_set(root, "$schema", cc_json_string(SARIF_SCHEMA));
    cc_json_set(root, "version", cc_json_string("2.1.0"));
    cc_json_set(root, "runs", runs);
    return cc_json_write(root, out);
}
