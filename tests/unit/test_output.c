/* Unit tests of the report model (report.c) and its three output formats.
 *
 * The sample report is built by hand through the model's API, so these tests
 * pin the formats without any trace reader or symbolizer. Its text, JSON and
 * SARIF renderings are compared byte for byte with tests/golden/report.txt,
 * report.json and report.sarif.
 *
 * After an intended change to a format, regenerate the golden files with
 *     CC_UPDATE_GOLDEN=1 ./test_output
 * (the test then rewrites them instead of comparing) and review the diff
 * before committing it. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "support/report_render.h"

#define GOLDEN_DIR CC_TEST_SOURCE_DIR "/golden/"

/* ---- building reports ---------------------------------------------------- */

#define APP "/src/app/build/app"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* Frame strings are literals here; in the analyzer the symbolizer owns them.
 * Either way cc_report_free must not free them. */
static cc_frame_t frame(uint64_t pc, const char *function, const char *file, int line,
                        const char *module, uint64_t base, bool inlined)
{
    return (cc_frame_t){.pc = pc, .function = function, .file = file, .line = line,
                        .module = module, .module_offset = module ? pc - base : 0,
                        .inlined = inlined};
}

static void add_stack(cc_finding_t *finding, const char *role, const char *title,
                      uint32_t thread, const cc_frame_t *frames, size_t n_frames)
{
    cc_report_stack_t *stack = cc_finding_add_stack(finding);
    stack->role = role;
    stack->title = strdup(title);
    stack->thread = thread;
    stack->pid = 4242;
    stack->frames = calloc(n_frames, sizeof *frames);
    assert_non_null(stack->title);
    assert_non_null(stack->frames);
    memcpy(stack->frames, frames, n_frames * sizeof *frames);
    stack->n_frames = n_frames;
}

static void add_thread(cc_finding_t *finding, uint32_t id, const char *start_function)
{
    cc_report_thread_t *thread = cc_finding_add_thread(finding);
    thread->id = id;
    thread->pid = 4242;
    thread->start_function = start_function;
}

static void set_traces(cc_report_t *report, size_t n)
{
    report->traces = calloc(n, sizeof *report->traces);
    assert_non_null(report->traces);
    report->n_traces = n;
}

static void set_trace(cc_report_trace_t *trace, const char *path, uint32_t pid, bool truncated,
                      bool complete)
{
    trace->path = strdup(path);
    trace->exe = strdup(APP);
    trace->pid = pid;
    trace->truncated = truncated;
    trace->complete = complete;
}

#define N_FRAMES(a) (sizeof(a) / sizeof((a)[0]))

/* Two threads taking two mutexes in opposite orders, a thread never joined,
 * a trace cut short by a crash and a forked child's trace without its end. */
static void build_sample(cc_report_t *report)
{
    memset(report, 0, sizeof *report);
    report->tool_version = "0.1.0-test";
    set_traces(report, 2);
    set_trace(&report->traces[0], "/tmp/run/ccheck.app.4242.trace", 4242, true, false);
    set_trace(&report->traces[1], "/tmp/run/ccheck.app.4250.trace", 4250, false, false);

    cc_finding_t *inversion = cc_report_add_finding(report);
    inversion->category = CC_CATEGORY_DEADLOCK;
    inversion->kind = "lock-order-inversion";
    inversion->severity = CC_SEVERITY_ERROR;
    inversion->message = strdup("Lock-order inversion between mutex M1 (lock_a) and mutex M2 "
                                "(lock_b): threads T1 and T2 take them in opposite orders");
    add_thread(inversion, 1, "worker_ab");
    add_thread(inversion, 2, "worker_ba");

    const cc_frame_t t1_acquire[] = {
        frame(0x5555555551a9, "take_b", "/src/app/app.c", 27, APP, 0x555555554000, true),
        frame(0x5555555551a9, "worker_ab", "/src/app/app.c", 41, APP, 0x555555554000, false),
        frame(0x7ffff7e1a044, "start_thread", NULL, 0, LIBC, 0x7ffff7d91000, false),
    };
    const cc_frame_t t1_held[] = {
        frame(0x555555555190, "worker_ab", "/src/app/app.c", 40, APP, 0x555555554000, false),
        frame(0x7ffff7e1a044, "start_thread", NULL, 0, LIBC, 0x7ffff7d91000, false),
    };
    const cc_frame_t t2_acquire[] = {
        frame(0x555555555230, "worker_ba", "/src/app/app.c", 52, APP, 0x555555554000, false),
        frame(0x7ffff7fc1000, NULL, NULL, 0, NULL, 0, false), /* JIT or unmapped code */
    };
    const cc_frame_t t2_held[] = {
        frame(0x555555555400, "lock_helper", "lib/lock util.c", 0, APP, 0x555555554000, false),
        frame(0x555555555220, "worker_ba", "/src/app/app.c", 51, APP, 0x555555554000, false),
    };
    add_stack(inversion, "acquire", "Mutex M2 acquired here by thread T1 while holding M1", 1,
              t1_acquire, N_FRAMES(t1_acquire));
    add_stack(inversion, "held", "Mutex M1 previously acquired by thread T1", 1, t1_held,
              N_FRAMES(t1_held));
    add_stack(inversion, "acquire", "Mutex M1 acquired here by thread T2 while holding M2", 2,
              t2_acquire, N_FRAMES(t2_acquire));
    add_stack(inversion, "held", "Mutex M2 previously acquired by thread T2", 2, t2_held,
              N_FRAMES(t2_held));

    cc_finding_t *unjoined = cc_report_add_finding(report);
    unjoined->category = CC_CATEGORY_THREAD;
    unjoined->kind = "unjoined-thread";
    unjoined->severity = CC_SEVERITY_WARNING;
    unjoined->message = strdup("Thread T3 (reporter) finished but was never joined");
    add_thread(unjoined, 3, "reporter");
    const cc_frame_t create[] = {
        frame(0x5555555552f0, "main", "/src/app/app.c", 63, APP, 0x555555554000, false),
    };
    add_stack(unjoined, "create", "Thread T3 created here by the main thread", 0, create,
              N_FRAMES(create));
}

static void build_empty(cc_report_t *report)
{
    memset(report, 0, sizeof *report);
    report->tool_version = "0.1.0-test";
    set_traces(report, 1);
    set_trace(&report->traces[0], "/tmp/run/ccheck.app.4300.trace", 4300, false, true);
}

/* ---- rendering and golden files ------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        fail_msg("cannot open golden file %s: %s (run with CC_UPDATE_GOLDEN=1 to create it)",
                 path, strerror(errno));
    char *text = NULL;
    size_t size = 0;
    FILE *copy = open_memstream(&text, &size);
    assert_non_null(copy);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, copy), n);
    assert_false(ferror(in));
    fclose(in);
    assert_int_equal(fclose(copy), 0);
    *len = size;
    return text;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *out = fopen(path, "wb");
    if (!out)
        fail_msg("cannot write golden file %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(text, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

/* Points at the first line that differs, which is what one needs to see. */
static void report_mismatch(const char *path, const char *want, const char *got)
{
    size_t line = 1, start = 0;
    for (size_t i = 0; want[i] && want[i] == got[i]; i++)
        if (want[i] == '\n') {
            line++;
            start = i + 1;
        }
    print_error("%s differs from the output at line %zu:\n"
                "  golden: %.*s\n  output: %.*s\n",
                path, line, (int)strcspn(want + start, "\n"), want + start,
                (int)strcspn(got + start, "\n"), got + start);
    fail_msg("output does not match %s (CC_UPDATE_GOLDEN=1 rewrites it)", path);
}

static void check_golden(output_fn output, const char *name)
{
    cc_report_t report;
    build_sample(&report);
    size_t len;
    char *got = render_report(output, &report, &len);
    cc_report_free(&report);

    char path[4096];
    snprintf(path, sizeof path, "%s%s", GOLDEN_DIR, name);
    const char *update = getenv("CC_UPDATE_GOLDEN");
    if (update && *update) {
        write_file(path, got, len);
    } else {
        size_t want_len;
        char *want = read_file(path, &want_len);
        if (want_len != len || memcmp(want, got, len) != 0)
            report_mismatch(path, want, got);
        free(want);
    }
    free(got);
}

static void test_text_golden(void **state)
{
    (void)state;
    check_golden(cc_output_text, "report.txt");
}

static void test_json_golden(void **state)
{
    (void)state;
    check_golden(cc_output_json, "report.json");
}

static void test_sarif_golden(void **state)
{
    (void)state;
    check_golden(cc_output_sarif, "report.sarif");
}

/* ---- properties that must hold whatever the golden files say ------------- */

static json_object *get(json_object *object, const char *key)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(object, key, &value))
        fail_msg("JSON has no \"%s\"", key);
    return value;
}

static json_object *parse_output(output_fn output, const cc_report_t *report)
{
    char *text = render_report(output, report, NULL);
    json_object *root = json_tokener_parse(text);
    free(text);
    assert_non_null(root);
    return root;
}

static void test_json_categories(void **state)
{
    (void)state;
    static const char *const categories[] = {CC_CATEGORY_DEADLOCK, CC_CATEGORY_RACE,
                                             CC_CATEGORY_NOTIFICATION, CC_CATEGORY_THREAD,
                                             CC_CATEGORY_MISUSE};
    cc_report_t report;
    build_sample(&report);
    json_object *root = parse_output(cc_output_json, &report);

    json_object *findings = get(root, "findings");
    assert_int_equal(json_object_array_length(findings), report.n_findings);
    for (size_t i = 0; i < json_object_array_length(findings); i++) {
        const char *category =
            json_object_get_string(get(json_object_array_get_idx(findings, i), "category"));
        bool known = false;
        for (size_t c = 0; c < sizeof categories / sizeof categories[0]; c++)
            known |= strcmp(category, categories[c]) == 0;
        assert_true(known);
    }
    json_object *summary = get(root, "summary");
    assert_int_equal(json_object_get_int(get(summary, "findings")), 2);
    assert_int_equal(json_object_get_int(get(summary, "truncated_traces")), 1);
    assert_int_equal(json_object_get_int(get(get(summary, "by_category"), "deadlock")), 1);
    assert_int_equal(json_object_get_int(get(get(summary, "by_category"), "thread")), 1);
    json_object_put(root);
    cc_report_free(&report);
}

static void check_sarif(const cc_report_t *report)
{
    json_object *root = parse_output(cc_output_sarif, report);
    assert_string_equal(json_object_get_string(get(root, "version")), "2.1.0");
    json_object *runs = get(root, "runs");
    assert_int_equal(json_object_array_length(runs), 1);
    json_object *results = get(json_object_array_get_idx(runs, 0), "results");
    assert_int_equal(json_object_array_length(results), report->n_findings);
    json_object_put(root);
}

static void test_sarif_parses(void **state)
{
    (void)state;
    cc_report_t report;
    build_sample(&report);
    check_sarif(&report);
    cc_report_free(&report);
    build_empty(&report);
    check_sarif(&report);
    cc_report_free(&report);
}

static void test_empty_report(void **state)
{
    (void)state;
    cc_report_t report;
    build_empty(&report);

    char *text = render_report(cc_output_text, &report, NULL);
    assert_string_equal(text, "SUMMARY: ccheck: no findings in 1 trace\n");
    free(text);

    text = render_report(cc_output_json, &report, NULL);
    assert_non_null(strstr(text, "\"findings\": []"));
    json_object *root = json_tokener_parse(text);
    free(text);
    assert_non_null(root);
    assert_int_equal(json_object_array_length(get(root, "findings")), 0);
    json_object *summary = get(root, "summary");
    assert_int_equal(json_object_get_int(get(summary, "findings")), 0);
    assert_int_equal(json_object_get_int(get(summary, "traces")), 1);
    assert_int_equal(json_object_get_int(get(summary, "truncated_traces")), 0);
    json_object *by_category = get(summary, "by_category");
    assert_int_equal(json_object_object_length(by_category), 5);
    json_object_object_foreach(by_category, name, count) {
        (void)name;
        assert_int_equal(json_object_get_int(count), 0);
    }
    json_object_put(root);
    cc_report_free(&report);
}

/* ---- the model's helpers -------------------------------------------------- */

static void test_model_growth(void **state)
{
    (void)state;
    cc_report_t report = {0};
    for (int i = 0; i < 100; i++) {
        cc_finding_t *finding = cc_report_add_finding(&report);
        assert_null(finding->message);
        assert_int_equal(finding->n_stacks, 0);
        finding->kind = "double-unlock";
        for (int s = 0; s < 5; s++) {
            cc_report_stack_t *stack = cc_finding_add_stack(finding);
            assert_null(stack->frames);
            assert_null(stack->title);
            stack->thread = (uint32_t)s;
        }
        assert_int_equal(cc_finding_add_thread(finding)->id, 0);
    }
    assert_int_equal(report.n_findings, 100);
    assert_true(report.cap_findings >= 100);
    assert_int_equal(report.findings[99].n_stacks, 5);
    assert_int_equal(report.findings[99].stacks[4].thread, 4);
    assert_int_equal(report.findings[42].n_threads, 1);
    cc_report_free(&report);
    assert_null(report.findings);
    assert_int_equal(report.n_findings, 0);

    assert_string_equal(cc_severity_name(CC_SEVERITY_ERROR), "error");
    assert_string_equal(cc_severity_name(CC_SEVERITY_WARNING), "warning");
}

/* A full disk must come back as -1 with errno, not as a silently short report. */
static void test_write_error(void **state)
{
    (void)state;
    static const output_fn outputs[] = {cc_output_text, cc_output_json, cc_output_sarif};
    FILE *probe = fopen("/dev/full", "w");
    if (!probe)
        skip();
    fclose(probe);
    cc_report_t report;
    build_sample(&report);
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        FILE *full = fopen("/dev/full", "w");
        assert_non_null(full);
        errno = 0;
        assert_int_equal(outputs[i](&report, full), -1);
        assert_int_equal(errno, ENOSPC);
        fclose(full);
    }
    cc_report_free(&report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_growth),
        cmocka_unit_test(test_text_golden),
        cmocka_unit_test(test_json_golden),
        cmocka_unit_test(test_sarif_golden),
        cmocka_unit_test(test_json_categories),
        cmocka_unit_test(test_sarif_parses),
        cmocka_unit_test(test_empty_report),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
