/* libFuzzer target: the trace reader, the analyses and the JSON output on
 * arbitrary input. See README.md here for how to build and run it.
 *
 * Each input is written to a memfd and loaded through its /proc/self/fd path
 * (the reader takes a path), analysed like `ccheck report` does, printed as
 * JSON, which must parse back, and freed. The reader's contract is checked
 * too: 0 or -1, and an error is one line that starts with the path.
 *
 * A custom mutator recomputes the record CRCs after most mutations: without
 * it nearly every mutant stops at the first checksum, and the record parsers
 * and the analyses behind them would see little but the seeds.
 *
 * Built with -fsanitize=fuzzer,address,undefined and the analyzer sources
 * compiled in with the same flags (tests/fuzz/CMakeLists.txt), so a memory
 * error, undefined behaviour or a leak anywhere on that path is a crash. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis.h"
#include "trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static int input_fd = -1;
static char input_path[64];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_trace_reader: %s\n", what);
    abort();
}

static void set_input(const uint8_t *data, size_t size)
{
    if (input_fd < 0) {
        input_fd = memfd_create("ccheck-fuzz-input", MFD_CLOEXEC);
        if (input_fd < 0)
            die("memfd_create failed");
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
    if (ftruncate(input_fd, 0) != 0)
        die("ftruncate failed");
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            die("pwrite failed");
        done += (size_t)n;
    }
}

static void check_error(const char *err)
{
    size_t n = strlen(input_path);
    if (strncmp(err, input_path, n) != 0 || strncmp(err + n, ": ", 2) != 0 || !err[n + 2]) {
        fprintf(stderr, "error message does not start with the path: '%s'\n", err);
        abort();
    }
    if (strchr(err, '\n')) {
        fprintf(stderr, "error message is not one line: '%s'\n", err);
        abort();
    }
}

static void check_loaded(const cc_trace_t *t)
{
    for (size_t i = 0; i < t->n_stacks; i++) {
        const cc_trace_stack_t *s = cc_trace_find_stack(t, t->stacks[i].id);
        if (!s || s->depth == 0 || s->depth > CC_TRACE_MAX_FRAMES)
            die("a loaded stack breaks the reader's limits");
    }
    for (size_t i = 0; i < t->n_modules; i++)
        if (t->modules[i].start >= t->modules[i].end ||
            t->modules[i].build_id_len > CC_TRACE_MAX_BUILD_ID)
            die("a loaded module breaks the reader's limits");
    for (size_t i = 0; i < t->n_races; i++) {
        const cc_rec_race_t *r = &t->races[i].rec;
        if ((r->current.n_held || r->previous.n_held) && !t->races[i].held)
            die("a loaded race lost its held locks");
        if (!r->current.size || !r->previous.size || r->memory > CC_MEMORY_STACK)
            die("a loaded race breaks the reader's checks");
    }
}

static void analyze_and_print(cc_trace_t *t)
{
    cc_report_t report = {.tool_version = "fuzz"};
    report.traces = calloc(1, sizeof *report.traces);
    if (!report.traces)
        die("out of memory");
    report.n_traces = 1;
    report.traces[0] = (cc_report_trace_t){.path = strdup(t->path), .pid = t->pid,
                                           .exe = strdup(t->exe), .truncated = t->truncated,
                                           .complete = t->has_end};
    cc_analysis_t analysis;
    cc_analysis_init(&analysis, t, 1, &report);
    analysis.quiet = true;
    cc_analyze(&analysis);

    char *json = NULL;
    size_t json_size = 0;
    FILE *out = open_memstream(&json, &json_size);
    if (!out)
        die("open_memstream failed");
    if (cc_output_json(&report, out) != 0)
        die("cc_output_json failed");
    fclose(out);
    json_object *parsed = json_tokener_parse(json);
    if (!parsed) {
        fprintf(stderr, "the JSON output does not parse:\n%s\n", json);
        abort();
    }
    json_object_put(parsed);
    free(json);

    cc_report_free(&report);
    cc_analysis_free(&analysis);
}

/* Recomputes the CRC of every record from the start of the input as far as
 * the record sizes make sense. */
static void fix_crcs(uint8_t *data, size_t size)
{
    size_t at = sizeof(cc_trace_header_t);
    while (at + sizeof(cc_rec_header_t) <= size) {
        cc_rec_header_t h;
        memcpy(&h, data + at, sizeof h);
        if (h.size < sizeof h || h.size % 8 != 0 || h.size > size - at)
            break;
        h.crc = cc_trace_crc32(data + at + sizeof h, h.size - sizeof h);
        memcpy(data + at + offsetof(cc_rec_header_t, crc), &h.crc, sizeof h.crc);
        at += h.size;
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (seed % 8 != 0) /* one in eight keeps its bad checksums */
        fix_crcs(data, size);
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    set_input(data, size);
    cc_trace_t trace;
    char err[1024] = "";
    int rc = cc_trace_load(input_path, &trace, err, sizeof err);
    if (rc != 0 && rc != -1)
        die("cc_trace_load returned neither 0 nor -1");
    if (rc == 0) {
        check_loaded(&trace);
        analyze_and_print(&trace);
    } else {
        check_error(err);
    }
    cc_trace_free(&trace);
    return 0;
}
