/* Helpers shared by the three output formats (output_text.c, output_json.c,
 * output_sarif.c), so they count, name and word things the same way. Internal
 * to the analyzer; the formats' interface is in report.h. */
#ifndef CC_ANALYZER_OUTPUT_COMMON_H
#define CC_ANALYZER_OUTPUT_COMMON_H

#include "report.h"

struct json_object;

/* The fixed categories of design.md, in the order every summary lists them. */
#define CC_N_CATEGORIES 5
extern const char *const cc_output_categories[CC_N_CATEGORIES];

typedef struct cc_output_summary {
    size_t by_category[CC_N_CATEGORIES]; /* a finding outside the set counts nowhere */
    size_t truncated_traces;
} cc_output_summary_t;

void cc_output_summarize(const cc_report_t *report, cc_output_summary_t *summary);

/* The last component of a path ("libc.so.6" for "/lib/x86_64-linux-gnu/libc.so.6"). */
const char *cc_output_basename(const char *path);

/* Why the findings of a trace may be incomplete, as one sentence without the
 * path, or NULL when the trace is whole. */
const char *cc_output_trace_note(const cc_report_trace_t *trace);

/* Flushes out; returns 0, or -1 with errno set when any write failed. */
int cc_output_finish(FILE *out);

/* json-c constructors that abort on out-of-memory like the report model does.
 * json-c returns NULL both for a failed allocation and for JSON null, so an
 * unchecked failure would silently print null instead of the data. */
struct json_object *cc_json_object(void);
struct json_object *cc_json_array(void);
struct json_object *cc_json_string(const char *s); /* NULL gives JSON null */
struct json_object *cc_json_int(int64_t value);
struct json_object *cc_json_bool(bool value);
struct json_object *cc_json_hex(uint64_t value); /* "0x..." string */
/* Take ownership of value (NULL is JSON null). */
void cc_json_set(struct json_object *object, const char *key, struct json_object *value);
void cc_json_push(struct json_object *array, struct json_object *value);

/* Prints root pretty with two-space indentation, unescaped slashes and a
 * trailing newline, then releases root. Returns like cc_output_finish. */
int cc_json_write(struct json_object *root, FILE *out);

#endif
