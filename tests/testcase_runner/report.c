/* Loading a JSON report and matching its findings to a testcase's
 * expectations. See report.h. */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static json_object *get_field(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

/* Array field, or NULL if absent or not an array. */
static json_object *get_array(json_object *obj, const char *key)
{
    json_object *v = get_field(obj, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

static const char *get_string(json_object *obj, const char *key)
{
    json_object *v = get_field(obj, key);
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A frame's line, or -1 when null or absent. */
static long frame_line(json_object *frame)
{
    json_object *v = get_field(frame, "line");
    return json_object_is_type(v, json_type_int) ? (long)json_object_get_int64(v) : -1;
}

static bool frame_at(json_object *frame, const char *file, long line)
{
    const char *f = get_string(frame, "file");
    return f && strcmp(base_name(f), file) == 0 && frame_line(frame) == line;
}

/* Calls fn on every frame of every stack of a finding; stops when it
 * returns true and returns true then. */
static bool any_frame(json_object *finding, bool (*fn)(json_object *, const void *),
                      const void *arg)
{
    json_object *stacks = get_array(finding, "stacks");
    size_t n_stacks = stacks ? json_object_array_length(stacks) : 0;
    for (size_t i = 0; i < n_stacks; i++) {
        json_object *frames = get_array(json_object_array_get_idx(stacks, i), "frames");
        size_t n_frames = frames ? json_object_array_length(frames) : 0;
        for (size_t j = 0; j < n_frames; j++)
            if (fn(json_object_array_get_idx(frames, j), arg))
                return true;
    }
    return false;
}

typedef struct tc_site {
    const char *file;
    long line;
} tc_site_t;

static bool frame_at_site(json_object *frame, const void *arg)
{
    const tc_site_t *site = arg;
    return frame_at(frame, site->file, site->line);
}

static bool finding_matches(json_object *finding, const tc_expect_t *e, const char *file)
{
    const char *kind = get_string(finding, "kind");
    tc_site_t site = {file, e->line};
    return kind && strcmp(kind, e->kind) == 0 && any_frame(finding, frame_at_site, &site);
}

static bool first_frame(json_object *frame, const void *arg)
{
    *(json_object **)arg = frame;
    return true;
}

typedef struct tc_lines {
    const char *file;
    long *lines;
    size_t n;
} tc_lines_t;

/* Adds a frame's line to the list if the frame is in the testcase's file. */
static bool collect_line(json_object *frame, const void *arg)
{
    tc_lines_t *l = (tc_lines_t *)arg;
    const char *f = get_string(frame, "file");
    long line = frame_line(frame);
    if (f && strcmp(base_name(f), l->file) == 0 && line >= 0) {
        l->lines = tc_xrealloc(l->lines, (l->n + 1) * sizeof *l->lines);
        l->lines[l->n++] = line;
    }
    return false;
}

static int cmp_lines(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Appends "L,L,..." to out: the lines of `file` that the finding's stacks
 * show, sorted, each once. Returns how many. */
static size_t testcase_lines(json_object *finding, const char *file, tc_buf_t *out)
{
    tc_lines_t l = {file, NULL, 0};
    any_frame(finding, collect_line, &l);
    if (l.n)
        qsort(l.lines, l.n, sizeof *l.lines, cmp_lines);
    size_t shown = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0 && l.lines[i] == l.lines[i - 1])
            continue;
        tc_buf_printf(out, "%s%ld", shown++ ? "," : "", l.lines[i]);
    }
    free(l.lines);
    return shown;
}

/* "KIND (function file:line)" for an extra finding; when the first frame is
 * not in the testcase, the testcase lines that do appear follow. */
static void describe_extra(json_object *finding, const char *file, tc_buf_t *reasons)
{
    const char *kind = get_string(finding, "kind");
    json_object *frame = NULL;
    any_frame(finding, first_frame, &frame);
    if (!frame) {
        tc_add_reason(reasons, "extra %s (no frames)", kind);
        return;
    }
    const char *fn = get_string(frame, "function");
    const char *ff = get_string(frame, "file");
    long line = frame_line(frame);
    tc_buf_t where = {0};
    tc_buf_printf(&where, "%s %s:", fn ? fn : "?", ff ? base_name(ff) : "?");
    if (line >= 0)
        tc_buf_printf(&where, "%ld", line);
    else
        tc_buf_printf(&where, "?");
    tc_buf_t lines = {0};
    if (!ff || strcmp(base_name(ff), file) != 0)
        testcase_lines(finding, file, &lines);
    if (lines.len)
        tc_add_reason(reasons, "extra %s (%s; in %s at line %s)", kind, where.s, file, lines.s);
    else
        tc_add_reason(reasons, "extra %s (%s)", kind, where.s);
    free(where.s);
    free(lines.s);
}

/* "KIND at line L, ..." for the expectations, or "no findings". */
static void describe_expected(const tc_case_t *tc, tc_buf_t *out)
{
    if (tc->n_expects == 0)
        tc_buf_printf(out, "no findings");
    for (size_t i = 0; i < tc->n_expects; i++)
        tc_buf_printf(out, "%s%s at line %ld", i ? ", " : "", tc->expects[i].kind,
                      tc->expects[i].line);
}

/* "KIND at line(s) L,L, ..." for the findings of a report, each with the
 * lines of the testcase its stacks show, or "no findings". */
static void describe_got(json_object *findings, const char *file, tc_buf_t *out)
{
    size_t n = json_object_array_length(findings);
    if (n == 0)
        tc_buf_printf(out, "no findings");
    for (size_t j = 0; j < n; j++) {
        json_object *finding = json_object_array_get_idx(findings, j);
        tc_buf_t lines = {0};
        size_t n_lines = testcase_lines(finding, file, &lines);
        tc_buf_printf(out, "%s%s ", j ? ", " : "", get_string(finding, "kind"));
        if (n_lines)
            tc_buf_printf(out, "at line%s %s", n_lines > 1 ? "s" : "", lines.s);
        else
            tc_buf_printf(out, "with no frame in %s", file);
        free(lines.s);
    }
}

/* Parses a report. Returns the root object, or NULL with a reason added. */
static json_object *load_report(const char *path, tc_buf_t *reasons)
{
    size_t len = 0;
    char *text = tc_read_file(path, &len);
    if (!text) {
        tc_add_reason(reasons, "no JSON report: %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)text[skip]))
        skip++;
    if (skip == len) {
        tc_add_reason(reasons, "%s: empty JSON report", path);
        free(text);
        return NULL;
    }
    if (len > INT_MAX) {
        tc_add_reason(reasons, "%s: JSON report too large (%zu bytes)", path, len);
        free(text);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        tc_add_reason(reasons, "%s: json_tokener_new failed", path);
        free(text);
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (!root) {
        if (jerr == json_tokener_continue)
            tc_add_reason(reasons, "%s: invalid JSON: unexpected end of file", path);
        else
            tc_add_reason(reasons, "%s: invalid JSON at offset %zu: %s", path, end,
                          json_tokener_error_desc(jerr));
    } else {
        while (end < len && isspace((unsigned char)text[end]))
            end++;
        if (end < len) {
            tc_add_reason(reasons, "%s: invalid JSON: trailing data at offset %zu", path, end);
            json_object_put(root);
            root = NULL;
        }
    }
    json_tokener_free(tok);
    free(text);
    return root;
}

/* Checks the shape this runner relies on. Returns 0, or -1 with a reason. */
static int check_shape(const char *path, json_object *root, tc_buf_t *reasons)
{
    if (!json_object_is_type(root, json_type_object)) {
        tc_add_reason(reasons, "%s: report is not a JSON object", path);
        return -1;
    }
    json_object *findings = get_array(root, "findings");
    if (!findings) {
        tc_add_reason(reasons, "%s: report has no \"findings\" array", path);
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(findings); i++) {
        json_object *f = json_object_array_get_idx(findings, i);
        if (!get_string(f, "kind")) {
            tc_add_reason(reasons, "%s: findings[%zu] has no \"kind\" string", path, i);
            return -1;
        }
        json_object *stacks = get_field(f, "stacks");
        if (stacks && !json_object_is_type(stacks, json_type_array)) {
            tc_add_reason(reasons, "%s: findings[%zu].stacks is not an array", path, i);
            return -1;
        }
        for (size_t j = 0; stacks && j < json_object_array_length(stacks); j++) {
            json_object *frames = get_field(json_object_array_get_idx(stacks, j), "frames");
            if (frames && !json_object_is_type(frames, json_type_array)) {
                tc_add_reason(reasons, "%s: findings[%zu].stacks[%zu].frames is not an array",
                              path, i, j);
                return -1;
            }
        }
    }
    return 0;
}

/* Compares a report with a case's expectations, adding a reason for each
 * missing expectation and each extra finding, or for a report that cannot
 * be read. */
static void compare_report(const char *path, const tc_case_t *tc, tc_buf_t *reasons)
{
    json_object *root = load_report(path, reasons);
    if (!root)
        return;
    if (check_shape(path, root, reasons) < 0) {
        json_object_put(root);
        return;
    }
    tc_buf_t file = {0};
    tc_buf_printf(&file, "%s.c", tc->name);
    json_object *findings = get_array(root, "findings");
    size_t n = json_object_array_length(findings);
    size_t reasons_before = reasons->len;
    for (size_t i = 0; i < tc->n_expects; i++) {
        const tc_expect_t *e = &tc->expects[i];
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = finding_matches(json_object_array_get_idx(findings, j), e, file.s);
        if (!found)
            tc_add_reason(reasons, "missing %s at line %ld", e->kind, e->line);
    }
    for (size_t j = 0; j < n; j++) {
        json_object *finding = json_object_array_get_idx(findings, j);
        bool found = false;
        for (size_t i = 0; i < tc->n_expects && !found; i++)
            found = finding_matches(finding, &tc->expects[i], file.s);
        if (!found)
            describe_extra(finding, file.s, reasons);
    }
    /* The whole picture after the differences, so that a wrong line or a
     * wrong kind reads as what was expected next to what came. */
    if (reasons->len != reasons_before) {
        tc_buf_t expected = {0}, got = {0};
        describe_expected(tc, &expected);
        describe_got(findings, file.s, &got);
        tc_add_reason(reasons, "expected %s; got %s", expected.s, got.s);
        free(expected.s);
        free(got.s);
    }
    free(file.s);
    json_object_put(root);
}

void tc_check_outcome(const tc_case_t *tc, int exit_status, const char *report_path,
                      tc_buf_t *reasons)
{
    int expected = tc_case_expected_exit(tc);
    if (exit_status >= 0 && exit_status != expected)
        tc_add_reason(reasons, "exit status %d, expected %d", exit_status, expected);
    compare_report(report_path, tc, reasons);
}
