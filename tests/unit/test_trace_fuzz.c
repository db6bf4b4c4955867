/* Deterministic fuzzing of the trace reader and everything after it.
 *
 * A valid trace, written by the runtime's writer as in test_trace.c (with
 * lock-order cycles, leaked threads and data races so that the analyses
 * report findings), is mutated ~20,000 times with a fixed-seed PRNG: bit flips,
 * bytes set to 0x00/0xFF, truncations, insertions and duplications of byte
 * ranges and of whole records, record sizes set to huge or small values,
 * record fields set to boundary values. Most mutants get their record CRCs
 * recomputed so that they reach the record parsers instead of stopping at the
 * checksum. Every mutant must load with 0 or -1 (never crash), an error must
 * be one line that starts with the path, a loaded trace must keep the
 * reader's invariants, and the analyses and all three output formats must
 * survive it (the JSON and SARIF must parse back).
 *
 * The same seed gives the same mutants on every run; a failure names the
 * mutant, and CC_FUZZ_KEEP=DIR keeps the failing input (see keep_input). The
 * libFuzzer target in tests/fuzz/ explores further. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <json-c/json.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "ccheck/trace_format.h"
#include "lock_table.h"
#include "stack.h"
#include "support/report_render.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

enum {
    ITERATIONS = 20000,
    MAX_RECORDS = 4096,
};

static const char *exe;
static uint8_t *seed;
static size_t seed_len;

/* ---- records ------------------------------------------------------------------ */

/* The records from the start of buf as far as their headers are sane: a
 * mutant's records up to its first damaged header. */
static size_t walk(const uint8_t *buf, size_t len, rec_pos_t *out, size_t max)
{
    size_t end;
    return walk_records(buf, len, out, max, &end);
}

/* Recomputes the CRC of every record the walk reaches, so that a mutant
 * gets past the checksum to the record parsers. */
static void fix_crcs(uint8_t *buf, size_t len)
{
    static rec_pos_t recs[MAX_RECORDS];
    size_t n = walk(buf, len, recs, MAX_RECORDS);
    for (size_t i = 0; i < n; i++) {
        uint32_t crc = cc_trace_crc32(buf + recs[i].offset + sizeof(cc_rec_header_t),
                                      recs[i].size - sizeof(cc_rec_header_t));
        memcpy(buf + recs[i].offset + offsetof(cc_rec_header_t, crc), &crc, sizeof crc);
    }
}

/* ---- the seed trace --------------------------------------------------------------- */

/* Code addresses of this program, so that the seed's stacks symbolize to
 * real functions. They are functions of runtime/util.c (linked into every
 * unit test): a small compilation unit, so the fresh symbolizer of each
 * mutant has a small DWARF tree to walk, where this file's would cost as
 * much as everything else together. */
#define CODE(fn, offset) ((uint64_t)(uintptr_t)&(fn) + (offset))

/* The runtime's idea of thread tid, for stamping records. */
static cc_thread_t *thread_as(uint32_t tid)
{
    static cc_thread_t threads[8];
    threads[tid].tid = tid;
    return &threads[tid];
}

static void write_as(uint32_t tid, cc_rec_type_t type, cc_rec_header_t *rec, uint32_t size)
{
    write_record_as(thread_as(tid), type, rec, size);
}

static void write_edge(uint32_t tid, const cc_lock_t *from, const cc_lock_t *to, uint32_t from_stack,
                       uint32_t to_stack, uint32_t flags, const cc_lock_t *held1,
                       const cc_lock_t *held2)
{
    struct {
        cc_rec_lock_edge_t rec;
        cc_held_lock_t held[2];
    } edge = {.rec = {.from = from->id, .to = to->id, .from_stack = from_stack,
                      .to_stack = to_stack, .flags = flags}};
    if (held1)
        edge.held[edge.rec.n_held++] = (cc_held_lock_t){.id = held1->id};
    if (held2)
        edge.held[edge.rec.n_held++] = (cc_held_lock_t){.id = held2->id, .flags = CC_HELD_READ};
    write_as(tid, CC_REC_LOCK_EDGE, &edge.rec.h,
             (uint32_t)(sizeof edge.rec + edge.rec.n_held * sizeof edge.held[0]));
}

static void write_seed(void)
{
    char *path = open_new_trace(CC_ORIGIN_START);

    /* The last two frames are outside every module the seed keeps. */
    uint64_t pcs[5] = {CODE(cc_yield, 1), CODE(cc_gettid, 3), CODE(cc_monotonic_ns, 1),
                       CODE(strlen, 1), 0x10};
    uint32_t s1 = cc_stack_intern(pcs, 3);
    uint32_t s2 = cc_stack_intern(pcs + 1, 4);
    uint32_t s3 = cc_stack_intern(pcs + 3, 2);

    cc_rec_thread_start_t start = {.os_tid = 100};
    write_as(0, CC_REC_THREAD_START, &start.h, sizeof start);
    for (uint32_t tid = 1; tid <= 4; tid++) {
        cc_rec_thread_create_t create = {.child = tid, .flags = tid == 4 ? CC_THREAD_DETACHED : 0,
                                         .start_pc = CODE(cc_realtime_ns, 0),
                                         .create_stack = tid % 2 ? s1 : s2};
        write_as(0, CC_REC_THREAD_CREATE, &create.h, sizeof create);
        start.os_tid = 100 + tid;
        write_as(tid, CC_REC_THREAD_START, &start.h, sizeof start);
    }

    /* Locks outside every module, as heap locks are: the address of a
     * variable would cost the symbolizer a walk over every compilation
     * unit for each mutant. */
    cc_lock_t *l[6];
    for (int i = 0; i < 6; i++) {
        uint64_t addr = 0x5a5a0000 + 64u * (unsigned)i;
        l[i] = i % 2 ? cc_lock_get(addr, CC_LOCK_MUTEX, pcs[i % 3])
                     : cc_lock_initialized(addr, (cc_lock_kind_t)(1 + i % 4), pcs[i % 3]);
        cc_lock_write_record(l[i]);
    }
    /* A two-lock inversion between T1 and T2, a three-lock cycle over T1,
     * T2 and T3 with held locks, a trylock edge that cannot close a cycle,
     * and a cycle within one thread. */
    write_edge(1, l[0], l[1], s1, s2, 0, NULL, NULL);
    write_edge(2, l[1], l[0], s2, s1, 0, l[5], NULL);
    write_edge(1, l[2], l[3], s1, s3, 0, l[0], NULL);
    write_edge(2, l[3], l[4], s2, s1, 0, NULL, NULL);
    write_edge(3, l[4], l[2], s3, s2, 0, l[1], NULL);
    write_edge(3, l[5], l[0], s1, s1, CC_EDGE_TO_TRY | CC_EDGE_TO_READ | CC_EDGE_FROM_READ, l[2],
               l[4]);
    write_edge(4, l[3], l[5], s3, s3, 0, NULL, NULL);
    write_edge(4, l[5], l[3], s3, s3, 0, NULL, NULL);

    /* Data races: on a global (outside every module, as above) with locks
     * held, a free of a heap block racing with a write whose stack is
     * only its pc, a race on a thread's stack with the earlier access's
     * history gone, and a close of a file descriptor racing with a use. */
    const uint64_t held[3] = {l[0]->id, l[1]->id, l[0]->id};
    cc_rec_race_t race = {
        .current = {.thread = 1, .stack = s1, .pc = pcs[0], .addr = 0x5a5b0000, .size = 4,
                    .flags = CC_ACCESS_WRITE, .n_held = 2},
        .previous = {.thread = 2, .stack = s2, .pc = pcs[1], .addr = 0x5a5b0000, .size = 4,
                     .n_held = 1},
        .memory = CC_MEMORY_GLOBAL,
        .mem_thread = CC_TRACE_NO_THREAD,
    };
    write_race_record_as(thread_as(1), &race, held);
    race = (cc_rec_race_t){
        .current = {.thread = 2, .stack = s2, .pc = pcs[1], .addr = 0x5a5c0000, .size = 64,
                    .flags = CC_ACCESS_FREE | CC_ACCESS_WRITE},
        .previous = {.thread = 3, .pc = pcs[2], .addr = 0x5a5c0008, .size = 8,
                     .flags = CC_ACCESS_WRITE | CC_ACCESS_ATOMIC},
        .memory = CC_MEMORY_HEAP, .mem_thread = 0, .mem_base = 0x5a5c0000, .mem_size = 64,
        .mem_stack = s3,
    };
    write_race_record_as(thread_as(2), &race, NULL);
    race = (cc_rec_race_t){
        .current = {.thread = 3, .stack = s3, .pc = pcs[3], .addr = 0x7ffc0000, .size = 8,
                    .flags = CC_ACCESS_WRITE},
        .previous = {.thread = 4, .addr = 0x7ffc0004, .size = 2},
        .memory = CC_MEMORY_STACK, .mem_thread = 3,
    };
    write_race_record_as(thread_as(3), &race, NULL);
    race = (cc_rec_race_t){
        .current = {.thread = 4, .stack = s3, .pc = pcs[3], .addr = 0x7f1200000018, .size = 8,
                    .flags = CC_ACCESS_FREE | CC_ACCESS_WRITE},
        .previous = {.thread = 1, .stack = s1, .pc = pcs[2], .addr = 0x7f1200000018, .size = 8},
        .memory = CC_MEMORY_FD, .mem_thread = 0, .mem_base = 5, .mem_stack = s2,
    };
    write_race_record_as(thread_as(4), &race, NULL);

    /* T1 exits and is joined; T2 exits unjoined; T3 is still running at the
     * end; T4 (created detached, and detached again) exits. */
    for (uint32_t tid = 1; tid <= 4; tid++) {
        if (tid == 3)
            continue;
        cc_rec_thread_exit_t exit_rec = {.how = tid % 3, .held_locks = tid == 2};
        write_as(tid, CC_REC_THREAD_EXIT, &exit_rec.h, sizeof exit_rec);
    }
    cc_rec_thread_join_t join = {.target = 1, .stack = s3};
    write_as(0, CC_REC_THREAD_JOIN, &join.h, sizeof join);
    cc_rec_thread_detach_t detach = {.target = 4, .stack = s2};
    write_as(3, CC_REC_THREAD_DETACH, &detach.h, sizeof detach);
    cc_current_thread = NULL;
    cc_trace_end(CC_END_EXIT, 0);

    seed = read_whole_file(path, &seed_len);
    free(path);
}

/* The module records of libraries are dropped from the seed: opening every
 * library of this process (and reading libc's symbols) for each of 20,000
 * mutants would make the test slow, and this program's own module, with
 * DWARF, exercises the symbolizer as well. */
static void keep_few_modules(void)
{
    static rec_pos_t recs[MAX_RECORDS];
    size_t n = walk(seed, seed_len, recs, MAX_RECORDS);
    size_t out = sizeof(cc_trace_header_t), kept_modules = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *rec = seed + recs[i].offset;
        cc_rec_module_t m;
        memcpy(&m, rec, sizeof m);
        if (m.h.type == CC_REC_MODULE) {
            const char *path = (const char *)rec + sizeof m + m.build_id_len;
            bool keep = m.path_len == strlen(exe) && memcmp(path, exe, m.path_len) == 0;
            if (!keep)
                continue;
            kept_modules++;
        }
        memmove(seed + out, rec, recs[i].size);
        out += recs[i].size;
    }
    assert_int_equal(kept_modules, 1);
    seed_len = out;
}

static int setup(void **state)
{
    (void)state;
    exe = own_exe_path();
    if (!make_trace_dir("fuzz") || !exe)
        return -1;
    start_runtime_by_hand();
    write_seed();
    keep_few_modules();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_trace_dir();
    free(seed);
    return 0;
}

/* ---- load, analyse, print ------------------------------------------------------------ */

static size_t current_iteration = SIZE_MAX; /* SIZE_MAX: the seed itself */

/* Seconds spent loading, analysing and printing, for the summary line. */
static double time_load, time_analyze, time_output;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct outcome {
    int rc;
    size_t findings;
    size_t races;     /* data-race findings */
    bool race_error;  /* rejected for a corrupt race record */
    bool truncated;
} outcome_t;

static void assert_json(char *text)
{
    json_object *parsed = json_tokener_parse(text);
    assert_non_null(parsed);
    json_object_put(parsed);
    free(text);
}

/* Loads path as the analyzer would, checks what must hold, and runs the
 * analyses and the outputs over it. */
static outcome_t load_and_analyze(const char *path, size_t len)
{
    outcome_t result = {0};
    cc_trace_t t;
    char err[1024];
    memset(err, 0, sizeof err);
    double start = now_seconds();
    result.rc = cc_trace_load(path, &t, err, sizeof err);
    time_load += now_seconds() - start;
    assert_true(result.rc == 0 || result.rc == -1);
    if (result.rc != 0) {
        size_t n = strlen(path);
        if (strncmp(err, path, n) != 0 || strncmp(err + n, ": ", 2) != 0 || !err[n + 2])
            fail_msg("mutant %zu: error message does not start with the path: '%s'",
                     current_iteration, err);
        if (strchr(err, '\n'))
            fail_msg("mutant %zu: error message is not one line: '%s'", current_iteration, err);
        result.race_error = strstr(err, "corrupt race record") != NULL;
        cc_trace_free(&t);
        return result;
    }
    result.truncated = t.truncated;
    assert_true(t.valid_bytes >= sizeof(cc_trace_header_t) && t.valid_bytes <= len);
    assert_true(t.truncated == (t.valid_bytes < len));
    for (size_t i = 0; i < t.n_stacks; i++) {
        const cc_trace_stack_t *s = cc_trace_find_stack(&t, t.stacks[i].id);
        assert_non_null(s);
        assert_int_equal(s->id, t.stacks[i].id);
        assert_true(s->depth >= 1 && s->depth <= CC_TRACE_MAX_FRAMES);
        assert_true(t.stacks[i].depth <= CC_TRACE_MAX_FRAMES);
    }
    for (size_t i = 0; i < t.n_modules; i++) {
        assert_true(t.modules[i].start < t.modules[i].end);
        assert_true(t.modules[i].build_id_len <= CC_TRACE_MAX_BUILD_ID);
        assert_non_null(t.modules[i].path);
    }
    for (size_t i = 0; i < t.n_threads; i++) {
        const cc_trace_thread_t *th = cc_trace_find_thread(&t, t.threads[i].tid);
        assert_non_null(th);
        assert_int_equal(th->tid, t.threads[i].tid);
    }
    for (size_t i = 0; i < t.n_locks; i++)
        assert_non_null(cc_trace_find_lock(&t, t.locks[i].id));
    for (size_t i = 0; i < t.n_edges; i++)
        assert_true(t.edges[i].n_held == 0 || t.edges[i].held != NULL);
    for (size_t i = 0; i < t.n_races; i++) {
        const cc_rec_race_t *r = &t.races[i].rec;
        assert_true(r->current.n_held + r->previous.n_held == 0 || t.races[i].held != NULL);
        assert_true(r->current.size && r->previous.size && r->memory <= CC_MEMORY_FD);
    }
    assert_non_null(t.exe);

    cc_report_t report = {.tool_version = "fuzz"};
    report.traces = calloc(1, sizeof *report.traces);
    assert_non_null(report.traces);
    report.n_traces = 1;
    report.traces[0] = (cc_report_trace_t){.path = strdup(t.path), .pid = t.pid,
                                           .exe = strdup(t.exe), .truncated = t.truncated,
                                           .complete = t.has_end};
    cc_analysis_t analysis;
    start = now_seconds();
    cc_analysis_init(&analysis, &t, 1, &report);
    analysis.quiet = true;
    cc_analyze(&analysis);
    time_analyze += now_seconds() - start;
    result.findings = report.n_findings;
    for (size_t i = 0; i < report.n_findings; i++) {
        const cc_finding_t *f = &report.findings[i];
        result.races += strcmp(f->kind, "data-race") == 0;
        assert_non_null(f->message);
        assert_null(strchr(f->message, '\n'));
        for (size_t k = 0; k < f->n_stacks; k++)
            assert_true(f->stacks[k].n_frames == 0 || f->stacks[k].frames != NULL);
    }
    /* JSON every time; SARIF and text, which cost more and read the same
     * model, for every eighth trace. */
    static size_t loads;
    start = now_seconds();
    assert_json(render_report(cc_output_json, &report, NULL));
    if (loads++ % 8 == 0) {
        assert_json(render_report(cc_output_sarif, &report, NULL));
        free(render_report(cc_output_text, &report, NULL));
    }
    time_output += now_seconds() - start;
    cc_report_free(&report);
    cc_analysis_free(&analysis);
    cc_trace_free(&t);
    return result;
}

/* ---- mutations ------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

typedef struct mutant {
    uint8_t *data;
    size_t len, cap;
} mutant_t;

/* Inserts n bytes (from src, or random when src is NULL) at `at`. */
static void insert(mutant_t *m, size_t at, const uint8_t *src, size_t n)
{
    if (m->len + n > m->cap || at > m->len)
        return;
    memmove(m->data + at + n, m->data + at, m->len - at);
    if (src)
        memmove(m->data + at, src, n);
    else
        for (size_t i = 0; i < n; i++)
            m->data[at + i] = (uint8_t)rnd();
    m->len += n;
}

static void erase(mutant_t *m, size_t at, size_t n)
{
    if (at + n > m->len)
        return;
    memmove(m->data + at, m->data + at + n, m->len - at - n);
    m->len -= n;
}

static void put32(mutant_t *m, size_t at, uint32_t value)
{
    if (at + 4 <= m->len)
        memcpy(m->data + at, &value, 4);
}

static uint32_t interesting32(const mutant_t *m)
{
    static const uint32_t values[] = {0,          1,          2,          3,
                                      7,          8,          15,         16,
                                      63,         64,         65,         127,
                                      255,        256,        4096,       0x7fff,
                                      0xffff,     0x10000,    0x7fffffff, 0x80000000,
                                      0xfffffffe, 0xffffffff, CC_TRACE_MAX_RECORD,
                                      CC_TRACE_MAX_RECORD + 8};
    switch (rnd() % 4) {
    case 0: return (uint32_t)rnd();
    case 1: return (uint32_t)below(16); /* small ids: threads, stacks, locks */
    case 2: return (uint32_t)m->len + (uint32_t)below(64) - 32;
    default: return values[below(CC_ARRAY_SIZE(values))];
    }
}

enum {
    MUT_BIT_FLIP, MUT_BYTE_SET, MUT_TRUNCATE, MUT_INSERT, MUT_DUP_RANGE, MUT_DUP_RECORD,
    MUT_DELETE_RECORD, MUT_SWAP_RECORDS, MUT_RECORD_SIZE, MUT_RECORD_FIELD, MUT_RECORD_TYPE,
    MUT_RECORD_THREAD, MUT_HEADER_FIELD, MUT_RECORD_STRETCH, MUT_COUNT
};

static void mutate_once(mutant_t *m)
{
    static rec_pos_t recs[MAX_RECORDS];
    size_t n = walk(m->data, m->len, recs, MAX_RECORDS);
    const rec_pos_t *r = n ? &recs[below(n)] : NULL;
    if (m->len == 0)
        return;
    switch (rnd() % MUT_COUNT) {
    case MUT_BIT_FLIP:
        m->data[below(m->len)] ^= (uint8_t)(1u << below(8));
        break;
    case MUT_BYTE_SET: {
        static const uint8_t values[] = {0x00, 0xff, 0x7f, 0x80, 0x01};
        m->data[below(m->len)] = values[below(CC_ARRAY_SIZE(values))];
        break;
    }
    case MUT_TRUNCATE:
        m->len = below(4) == 0 && r ? r->offset + below(r->size) : below(m->len);
        break;
    case MUT_INSERT:
        insert(m, below(m->len + 1), NULL, 1 + below(64));
        break;
    case MUT_DUP_RANGE: {
        size_t from = below(m->len), n_bytes = 1 + below(m->len - from < 256 ? m->len - from : 256);
        uint8_t copy[256];
        memcpy(copy, m->data + from, n_bytes);
        insert(m, below(m->len + 1), copy, n_bytes);
        break;
    }
    case MUT_DUP_RECORD:
        if (r) {
            uint8_t *copy = malloc(r->size);
            assert_non_null(copy);
            memcpy(copy, m->data + r->offset, r->size);
            const rec_pos_t *to = &recs[below(n)];
            insert(m, below(2) ? to->offset : to->offset + to->size, copy, r->size);
            free(copy);
        }
        break;
    case MUT_DELETE_RECORD:
        if (r)
            erase(m, r->offset, r->size);
        break;
    case MUT_SWAP_RECORDS:
        if (n >= 2) {
            size_t i = below(n - 1);
            rec_pos_t a = recs[i], b = recs[i + 1];
            uint8_t *copy = malloc(a.size);
            assert_non_null(copy);
            memcpy(copy, m->data + a.offset, a.size);
            memmove(m->data + a.offset, m->data + b.offset, b.size);
            memcpy(m->data + a.offset + b.size, copy, a.size);
            free(copy);
        }
        break;
    case MUT_RECORD_SIZE:
        if (r) {
            static const uint32_t sizes[] = {0, 8, 16, 17, 24, 0xfffffff8, 0x80000000,
                                             CC_TRACE_MAX_RECORD, CC_TRACE_MAX_RECORD + 8};
            uint32_t size = below(2) ? sizes[below(CC_ARRAY_SIZE(sizes))]
                                     : r->size + 8 * (uint32_t)below(5) - 16;
            put32(m, r->offset + offsetof(cc_rec_header_t, size), size);
        }
        break;
    case MUT_RECORD_FIELD:
        /* A 4-byte field of the payload: lengths, depths, ids, counts. */
        if (r && r->size > sizeof(cc_rec_header_t)) {
            size_t words = (r->size - sizeof(cc_rec_header_t)) / 4;
            size_t at = r->offset + sizeof(cc_rec_header_t) + 4 * below(words < 12 ? words : 12);
            if (below(4) == 0)
                at = r->offset + sizeof(cc_rec_header_t) + 4 * below(words);
            put32(m, at, interesting32(m));
        }
        break;
    case MUT_RECORD_TYPE:
        if (r) {
            uint16_t type = below(4) == 0 ? (uint16_t)rnd() : (uint16_t)below(CC_REC_TYPE_COUNT + 2);
            memcpy(m->data + r->offset + offsetof(cc_rec_header_t, type), &type, sizeof type);
        }
        break;
    case MUT_RECORD_THREAD:
        if (r)
            put32(m, r->offset + offsetof(cc_rec_header_t, thread),
                  below(2) ? (uint32_t)below(8) : interesting32(m));
        break;
    case MUT_RECORD_STRETCH:
        /* A count or length field set to v, and the record grown to hold v
         * items of 1, 8 or 16 bytes, so that the size checks pass and the
         * parsers see long variable parts (deep stacks, many held locks,
         * long paths). */
        if (r && r->size > sizeof(cc_rec_header_t)) {
            static const uint32_t units[] = {1, 8, 16};
            static const uint32_t counts[] = {0, 1, 63, 64, 65, 100, 127, 128, 255, 256};
            uint32_t v = below(2) ? (uint32_t)below(300) : counts[below(CC_ARRAY_SIZE(counts))];
            uint32_t grow = cc_trace_pad8(v * units[below(CC_ARRAY_SIZE(units))]);
            size_t words = (r->size - sizeof(cc_rec_header_t)) / 4;
            size_t field = r->offset + sizeof(cc_rec_header_t) + 4 * below(words < 10 ? words : 10);
            size_t end = r->offset + r->size;
            uint32_t size = r->size + grow;
            if (m->len + grow > m->cap)
                break;
            put32(m, field, v);
            insert(m, end, NULL, grow);
            put32(m, r->offset + offsetof(cc_rec_header_t, size), size);
        }
        break;
    case MUT_HEADER_FIELD: {
        static const size_t fields[] = {offsetof(cc_trace_header_t, version),
                                        offsetof(cc_trace_header_t, header_size),
                                        offsetof(cc_trace_header_t, pid),
                                        offsetof(cc_trace_header_t, ppid)};
        put32(m, fields[below(CC_ARRAY_SIZE(fields))], interesting32(m));
        break;
    }
    }
}

/* ---- the test -------------------------------------------------------------------------------- */

/* With CC_FUZZ_KEEP=DIR, DIR/seed.trace is the seed and
 * DIR/last-mutant.trace the mutant being loaded, so after a failure or a
 * crash it is the input to look at. */
static void keep_input(const char *name, const uint8_t *data, size_t len)
{
    const char *keep = getenv("CC_FUZZ_KEEP");
    if (!keep || !*keep)
        return;
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", keep, name);
    write_whole_file(path, data, len);
}

/* Mutants live in a memfd, named by its /proc/self/fd path: rewriting a
 * file on ext4 20,000 times would cost more than everything else (each
 * truncation flushes). */
static int mutant_fd = -1;

static void set_mutant(const uint8_t *data, size_t len)
{
    assert_int_equal(ftruncate(mutant_fd, 0), 0);
    assert_int_equal(pwrite(mutant_fd, data, len, 0), (ssize_t)len);
}

static void test_mutants(void **state)
{
    (void)state;
    mutant_fd = memfd_create("ccheck-mutant", MFD_CLOEXEC);
    assert_true(mutant_fd >= 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", mutant_fd);
    mutant_t m = {.cap = 4 * seed_len + 4096};
    m.data = malloc(m.cap);
    assert_non_null(m.data);

    /* The seed itself: whole, with findings from the analyses, its four
     * races among them. */
    set_mutant(seed, seed_len);
    keep_input("seed.trace", seed, seed_len);
    outcome_t base = load_and_analyze(path, seed_len);
    assert_int_equal(base.rc, 0);
    assert_false(base.truncated);
    assert_true(base.findings >= 6);
    assert_int_equal(base.races, 4);

    rng_state = 0x9e3779b97f4a7c15ull;
    size_t loaded = 0, failed = 0, truncated = 0, with_findings = 0, crc_fixed = 0;
    size_t with_races = 0, race_errors = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t iteration = 0; iteration < ITERATIONS; iteration++) {
        memcpy(m.data, seed, seed_len);
        m.len = seed_len;
        size_t rounds = 1 + below(4);
        for (size_t k = 0; k < rounds; k++)
            mutate_once(&m);
        if (below(8) != 0) {
            fix_crcs(m.data, m.len);
            crc_fixed++;
        }
        set_mutant(m.data, m.len);
        keep_input("last-mutant.trace", m.data, m.len);
        current_iteration = iteration;
        outcome_t o = load_and_analyze(path, m.len);
        if (o.rc == 0) {
            loaded++;
            truncated += o.truncated;
            with_findings += o.findings > 0;
            with_races += o.races > 0;
        } else {
            failed++;
            race_errors += o.race_error;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("%d mutants in %.2f s (load %.2f, analyse %.2f, print %.2f): %zu loaded (%zu "
                  "truncated, %zu with findings), %zu rejected; %zu had their CRCs fixed\n",
                  ITERATIONS, seconds, time_load, time_analyze, time_output, loaded, truncated,
                  with_findings, failed, crc_fixed);
    /* The mutants reach both outcomes and the analyses, or the test would
     * prove little. */
    assert_true(loaded >= ITERATIONS / 5);
    assert_true(failed >= ITERATIONS / 5);
    assert_true(truncated >= ITERATIONS / 50);
    assert_true(with_findings >= ITERATIONS / 10);
    /* Race records are reached both ways: reported, and rejected. */
    print_message("%zu mutants with races, %zu rejected for a corrupt race record\n", with_races,
                  race_errors);
    assert_true(with_races >= ITERATIONS / 10);
    assert_true(race_errors >= ITERATIONS / 200);
    free(m.data);
    close(mutant_fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutants),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
