/* Helpers shared by the output formats: category counting, trace notes,
 * stdio error reporting, and the json-c plumbing of the JSON and SARIF
 * formats. */
#include "output_common.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

const char *const cc_output_categories[CC_N_CATEGORIES] = {
    CC_CATEGORY_DEADLOCK, CC_CATEGORY_RACE,   CC_CATEGORY_NOTIFICATION,
    CC_CATEGORY_THREAD,   CC_CATEGORY_MISUSE,
};

void cc_output_summarize(const cc_report_t *report, cc_output_summary_t *summary)
{
    memset(summary, 0, sizeof *summary);
    for (size_t i = 0; i < report->n_findings; i++) {
        const char *category = report->findings[i].category;
        for (size_t c = 0; category && c < CC_N_CATEGORIES; c++) {
            if (strcmp(category, cc_output_categories[c]) == 0) {
                summary->by_category[c]++;
                break;
            }
        }
    }
    for (size_t i = 0; i < report->n_traces; i++)
        summary->truncated_traces += report->traces[i].truncated;
}

const char *cc_output_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

const char *cc_output_trace_note(const cc_report_trace_t *trace)
{
    /* A truncated trace has no end record either; say the stronger thing. */
    if (trace->truncated)
        return "trace is truncated; the report covers only what was written before the cut";
    if (!trace->complete)
        return "the process did not finish normally (no end record); "
               "thread findings at exit are not reported";
    return NULL;
}

int cc_output_finish(FILE *out)
{
    if (fflush(out) != 0 || ferror(out)) {
        /* The failed write set errno; only a stream that was already in error
         * before we started could leave it unset. */
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

static json_object *checked(json_object *object)
{
    if (!object) {
        fprintf(stderr, "ccheck: out of memory building JSON output\n");
        abort();
    }
    return object;
}

json_object *cc_json_object(void)
{
    return checked(json_object_new_object());
}

json_object *cc_json_array(void)
{
    return checked(json_object_new_array());
}

json_object *cc_json_string(const char *s)
{
    return s ? checked(json_object_new_string(s)) : NULL;
}

json_object *cc_json_int(int64_t value)
{
    return checked(json_object_new_int64(value));
}

json_object *cc_json_bool(bool value)
{
    return checked(json_object_new_boolean(value));
}

json_object *cc_json_hex(uint64_t value)
{
    char text[2 + 16 + 1];
    snprintf(text, sizeof text, "0x%" PRIx64, value);
    return cc_json_string(text);
}

void cc_json_set(json_object *object, const char *key, json_object *value)
{
    if (json_object_object_add(object, key, value) != 0)
        checked(NULL);
}

void cc_json_push(json_object *array, json_object *value)
{
    if (json_object_array_add(array, value) != 0)
        checked(NULL);
}

/* json-c's pretty printer opens an empty array or object on one line and
 * closes it on the next; print "[]" and "{}" instead, as people write them. */
static void compact_empty(json_object *value)
{
    if (json_object_is_type(value, json_type_array)) {
        size_t n = json_object_array_length(value);
        if (n == 0)
            json_object_set_serializer(value, json_object_userdata_to_json_string, (void *)"[]",
                                       NULL);
        for (size_t i = 0; i < n; i++)
            compact_empty(json_object_array_get_idx(value, i));
    } else if (json_object_is_type(value, json_type_object)) {
        if (json_object_object_length(value) == 0)
            json_object_set_serializer(value, json_object_userdata_to_json_string, (void *)"{}",
                                       NULL);
        struct json_object_iterator it = json_object_iter_begin(value);
        struct json_object_iterator end = json_object_iter_end(value);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
            compact_empty(json_object_iter_peek_value(&it));
    }
}

int cc_json_write(json_object *root, FILE *out)
{
    compact_empty(root);
    const char *text = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = 0;
    if (!text) {
        errno = ENOMEM;
        rc = -1;
    } else {
        fputs(text, out);
        fputc('\n', out);
    }
    json_object_put(root);
    return rc == 0 ? cc_output_finish(out) : rc;
}
