/* Unit tests of data-race reports: the reader's CC_REC_RACE parser
 * (analyzer/trace_reader.c), the data-symbol lookup (symbolize.c), the
 * analysis (analyzer/race.c) and the three output formats on its findings.
 *
 * Traces are synthetic: written through the runtime's writer as the race
 * detector would write them, with stacks that point into the small
 * "program" below, so that they symbolize to real functions and lines and a
 * global of this file names the raced memory. The text, JSON and SARIF of
 * one such trace are compared with tests/golden/race_report.*, with
 * addresses and paths masked; CC_UPDATE_GOLDEN=1 rewrites them (review the
 * diff). CC_RACE_KEEP=DIR keeps that trace as DIR/race.trace, to run
 * `ccheck report` on it. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

/* ---- the program the stacks point into -------------------------------------
 * One function per line, and nothing above them that may change: the golden
 * files name these lines. */
static int race_counter;
static pthread_mutex_t race_table_lock = PTHREAD_MUTEX_INITIALIZER;
__attribute__((noinline)) static void race_bump(void) { race_counter++; } static const int bump_line = __LINE__;
__attribute__((noinline)) static void race_peek(void) { (void)*(volatile int *)&race_counter; }
__attribute__((noinline)) static void *race_worker(void *arg) { race_bump(); return arg; }
__attribute__((noinline)) static void *race_reader(void *arg) { race_peek(); return arg; }
__attribute__((noinline)) static void race_spawn(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void race_alloc(void) { __asm__ volatile(""); }
/* ---------------------------------------------------------------------------- */

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "ccheck/trace_format.h"
#include "cli.h"
#include "stack.h"
#include "support/report_render.h"
#include "support/trace_files.h"
#include "symbolize.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

#define GOLDEN_DIR CC_TEST_SOURCE_DIR "/golden/"

/* A return address into fn: the symbolizer looks up pc - 1, fn's first
 * instruction, on fn's one line. */
#define PC(fn) ((uint64_t)(uintptr_t)&(fn) + 1)
#define ADDR(p) ((uint64_t)(uintptr_t)(p))

enum { TABLE_LOCK = 7, OTHER_LOCK = 9, PID = 4242 };
#define HEAP_BLOCK UINT64_C(0x7f0000001000)
#define STACK_ADDR UINT64_C(0x7ffc00002000)

static cc_thread_t threads[4];

/* The stacks of the program, interned in the current trace. */
typedef struct program {
    uint32_t bump, peek, spawn, alloc, site;
} program_t;

static uint32_t intern2(uint64_t a, uint64_t b)
{
    uint64_t pcs[2] = {a, b};
    return cc_stack_intern(pcs, b ? 2 : 1);
}

/* A new trace with what every test's races refer to: T1 (race_worker) and
 * T2 (race_reader) created by T0 (and joined), the mutex race_table_lock,
 * the stacks. */
static char *begin(program_t *p)
{
    char *path = open_new_trace(CC_ORIGIN_START);
    p->bump = intern2(PC(race_bump), PC(race_worker));
    p->peek = intern2(PC(race_peek), PC(race_reader));
    p->spawn = intern2(PC(race_spawn), 0);
    p->alloc = intern2(PC(race_alloc), PC(race_spawn));
    p->site = intern2(PC(race_worker), 0);
    for (uint32_t tid = 1; tid <= 2; tid++) {
        cc_rec_thread_create_t create = {
            .child = tid, .start_pc = tid == 1 ? ADDR(race_worker) : ADDR(race_reader),
            .create_stack = p->spawn};
        write_record_as(&threads[0], CC_REC_THREAD_CREATE, &create.h, sizeof create);
        /* Finished and joined, so that no thread finding joins the races. */
        cc_rec_thread_exit_t exit_rec = {.how = CC_EXIT_RETURN};
        write_record_as(&threads[tid], CC_REC_THREAD_EXIT, &exit_rec.h, sizeof exit_rec);
        cc_rec_thread_join_t join = {.target = tid, .stack = p->spawn};
        write_record_as(&threads[0], CC_REC_THREAD_JOIN, &join.h, sizeof join);
    }
    cc_rec_lock_t lock = {.id = TABLE_LOCK, .addr = ADDR(&race_table_lock),
                          .kind = CC_LOCK_MUTEX, .origin = CC_LOCK_FROM_FIRST_USE,
                          .site_stack = p->site};
    write_record_as(&threads[0], CC_REC_LOCK, &lock.h, sizeof lock);
    return path;
}

static void end(void)
{
    cc_current_thread = NULL;
    cc_trace_end(CC_END_EXIT, 0);
}

/* T1's write in race_bump, holding race_table_lock, races with T2's earlier
 * read in race_peek, holding nothing: race_counter, a global. */
static cc_rec_race_t global_race(const program_t *p)
{
    return (cc_rec_race_t){
        .current = {.thread = 1, .stack = p->bump, .pc = PC(race_bump),
                    .addr = ADDR(&race_counter), .size = 4, .flags = CC_ACCESS_WRITE,
                    .n_held = 1},
        .previous = {.thread = 2, .stack = p->peek, .pc = PC(race_peek),
                     .addr = ADDR(&race_counter), .size = 4},
        .memory = CC_MEMORY_GLOBAL,
        .mem_thread = CC_TRACE_NO_THREAD,
    };
}

/* The race's memory is the 64-byte heap block HEAP_BLOCK, allocated by
 * thread `tid` at p->alloc. */
static void in_heap_block(cc_rec_race_t *race, const program_t *p, uint32_t tid)
{
    race->memory = CC_MEMORY_HEAP;
    race->mem_base = HEAP_BLOCK;
    race->mem_size = 64;
    race->mem_thread = tid;
    race->mem_stack = p->alloc;
}

static const uint64_t table_held[] = {TABLE_LOCK};

static void write_race(const cc_rec_race_t *race, const uint64_t *held)
{
    write_race_record_as(&threads[race->current.thread < 4 ? race->current.thread : 0], race,
                         held);
}

/* ---- analysing ---------------------------------------------------------------- */

typedef struct analyzed {
    cc_trace_t traces[2];
    size_t n;
    cc_analysis_t analysis;
    cc_report_t report;
} analyzed_t;

/* Loads the traces and analyses them as `ccheck report` would, with a fixed
 * pid and trace path so that the outputs do not vary between runs. */
static void analyze(analyzed_t *out, const char *const *paths, size_t n)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->report.tool_version = "0.1.0-test";
    out->report.traces = calloc(n, sizeof *out->report.traces);
    assert_non_null(out->report.traces);
    out->report.n_traces = n;
    for (size_t i = 0; i < n; i++) {
        load_trace_or_fail(paths[i], &out->traces[i]);
        out->traces[i].pid = PID + (uint32_t)i;
        out->report.traces[i] = (cc_report_trace_t){
            .path = strdup(i ? "race.1.trace" : "race.trace"), .pid = PID + (uint32_t)i,
            .exe = strdup("race"), .truncated = out->traces[i].truncated,
            .complete = out->traces[i].has_end};
    }
    cc_analysis_init(&out->analysis, out->traces, n, &out->report);
    out->analysis.quiet = true;
    cc_analyze(&out->analysis);
}

static void analyze_one(analyzed_t *out, const char *path)
{
    analyze(out, &path, 1);
}

static void finish(analyzed_t *a)
{
    cc_report_free(&a->report);
    cc_analysis_free(&a->analysis);
    for (size_t i = 0; i < a->n; i++)
        cc_trace_free(&a->traces[i]);
}

static const cc_finding_t *only_finding(const analyzed_t *a)
{
    assert_int_equal(a->report.n_findings, 1);
    return &a->report.findings[0];
}

static const cc_report_stack_t *stack_with_role(const cc_finding_t *f, const char *role,
                                                size_t nth)
{
    for (size_t i = 0; i < f->n_stacks; i++)
        if (strcmp(f->stacks[i].role, role) == 0 && nth-- == 0)
            return &f->stacks[i];
    fail_msg("no stack with role %s", role);
    return NULL;
}

static void expect_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        fail_msg("'%s' does not contain '%s'", text ? text : "(null)", part);
}

static void expect_function(const cc_report_stack_t *s, size_t frame, const char *function)
{
    assert_true(frame < s->n_frames);
    assert_non_null(s->frames[frame].function);
    assert_string_equal(s->frames[frame].function, function);
}

/* ---- the tests ------------------------------------------------------------------- */

static void test_race_with_full_stacks(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    write_race(&race, table_held);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    const cc_trace_race_t *read = &a.traces[0].races[0];
    assert_int_equal(a.traces[0].n_races, 1);
    assert_memory_equal(&read->rec.current, &race.current, sizeof race.current);
    assert_memory_equal(&read->rec.previous, &race.previous, sizeof race.previous);
    assert_int_equal(read->held[0], TABLE_LOCK);

    const cc_finding_t *f = only_finding(&a);
    assert_string_equal(f->category, "race");
    assert_string_equal(f->kind, "data-race");
    assert_int_equal(f->severity, CC_SEVERITY_ERROR);
    char want[256];
    snprintf(want, sizeof want,
             "write of size 4 at %#llx by thread T1 (race_worker) races with an earlier read of "
             "size 4 by thread T2 (race_reader), with no happens-before between them",
             (unsigned long long)ADDR(&race_counter));
    assert_string_equal(f->message, want);
    assert_int_equal(f->n_threads, 2);
    assert_int_equal(f->threads[0].id, 1);
    assert_int_equal(f->threads[1].id, 2);

    assert_int_equal(f->n_stacks, 5);
    const cc_report_stack_t *access = &f->stacks[0], *previous = &f->stacks[1];
    assert_string_equal(access->role, "access");
    assert_int_equal(access->thread, 1);
    expect_function(access, 0, "race_bump");
    expect_function(access, 1, "race_worker");
    expect_contains(access->title, "Write of size 4 at 0x");
    expect_contains(access->title, "by thread T1 (race_worker), holding mutex M1 'race_table_lock'");
    expect_contains(access->title, "first locked at test_race_report.c:");
    assert_string_equal(previous->role, "previous");
    assert_int_equal(previous->thread, 2);
    expect_function(previous, 0, "race_peek");
    expect_function(previous, 1, "race_reader");
    expect_contains(previous->title, "Previous read of size 4 at 0x");
    expect_contains(previous->title, "by thread T2 (race_reader), holding no locks");
    assert_string_equal(f->stacks[2].role, "location");
    assert_int_equal(f->stacks[2].n_frames, 0);
    expect_contains(f->stacks[2].title,
                    "Location: global 'race_counter' (4 bytes, in test_race_report), raced at "
                    "offset 0");
    /* Both threads' creation stacks, the current access's thread first. */
    for (size_t i = 0; i < 2; i++) {
        const cc_report_stack_t *create = stack_with_role(f, "create", i);
        assert_int_equal(create->thread, i + 1);
        expect_function(create, 0, "race_spawn");
        expect_contains(create->title, i ? "Thread T2 created by T0 (main thread) here"
                                         : "Thread T1 created by T0 (main thread) here");
    }
    finish(&a);
    free(path);
}

/* The earlier access's history was overwritten: only its pc, or nothing. */
static void test_previous_stack_not_restored(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    race.previous.stack = CC_TRACE_NO_STACK;
    write_race(&race, table_held);
    /* Another pair: the current access's place comes from its stack, the
     * earlier one has neither stack nor pc. */
    race.current.pc = 0;
    race.current.stack = p.peek;
    race.previous.thread = 1;
    race.current.thread = 2;
    race.current.n_held = 0;
    race.previous.pc = 0;
    race.previous.addr += 2;
    race.previous.size = 2;
    write_race(&race, NULL);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 2);
    const cc_report_stack_t *pc_only = stack_with_role(&a.report.findings[0], "previous", 0);
    assert_int_equal(pc_only->n_frames, 1);
    expect_function(pc_only, 0, "race_peek");
    expect_contains(pc_only->title, "(only the access itself is known: the rest of its stack was "
                                    "not kept)");
    /* Without the stack its locks are unknown: no "holding no locks". */
    assert_null(strstr(pc_only->title, "holding"));

    const cc_finding_t *f = &a.report.findings[1];
    const cc_report_stack_t *none = stack_with_role(f, "previous", 0);
    assert_int_equal(none->n_frames, 0);
    expect_contains(none->title, "Previous read of size 2 at 0x");
    expect_contains(none->title, "by thread T1 (race_worker); its stack was not kept (the "
                                 "thread's history of events was overwritten");
    /* Another address for the earlier access is named in the message. */
    char at[64];
    snprintf(at, sizeof at, "an earlier read of size 2 at %#llx by thread T1",
             (unsigned long long)(ADDR(&race_counter) + 2));
    expect_contains(f->message, at);
    expect_function(stack_with_role(f, "access", 0), 0, "race_peek");
    finish(&a);
    free(path);
}

static void test_locations(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    race.current.n_held = 0;
    /* Heap: one block allocated by T0, the access 16 bytes into it. Each
     * record gets its own pc pair so that none is merged into another. */
    in_heap_block(&race, &p, 0);
    race.current.addr = race.previous.addr = HEAP_BLOCK + 16;
    write_race(&race, NULL);
    /* T2's stack. */
    race.current.pc = PC(race_worker);
    race.memory = CC_MEMORY_STACK;
    race.mem_thread = 2;
    race.current.addr = race.previous.addr = STACK_ADDR;
    write_race(&race, NULL);
    /* Memory nobody knows: outside every module. */
    race.current.pc = PC(race_spawn);
    race.memory = CC_MEMORY_UNKNOWN;
    race.mem_thread = CC_TRACE_NO_THREAD;
    race.current.addr = race.previous.addr = 0x10;
    write_race(&race, NULL);
    /* The runtime did not know it, but the symbol table does. */
    race.current.pc = PC(race_alloc);
    race.current.addr = race.previous.addr = ADDR(&race_counter);
    write_race(&race, NULL);
    /* A range write that begins before the block (a memset over two
     * blocks): the location is where the race is, 4 bytes into it. */
    race.current.pc = PC(race_reader);
    in_heap_block(&race, &p, 0);
    race.current.addr = HEAP_BLOCK - 16;
    race.current.size = 64;
    race.previous.addr = HEAP_BLOCK + 4;
    write_race(&race, NULL);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 5);
    expect_contains(stack_with_role(&a.report.findings[4], "alloc", 0)->title,
                    "(raced at offset 4)");
    const cc_report_stack_t *heap = stack_with_role(&a.report.findings[0], "alloc", 0);
    char want[256];
    snprintf(want, sizeof want,
             "Location: heap block of 64 bytes at %#llx (raced at offset 16), allocated "
             "by thread T0 (main thread) here",
             (unsigned long long)HEAP_BLOCK);
    assert_string_equal(heap->title, want);
    assert_int_equal(heap->thread, 0);
    expect_function(heap, 0, "race_alloc");
    expect_function(heap, 1, "race_spawn");
    assert_string_equal(stack_with_role(&a.report.findings[1], "location", 0)->title,
                        "Location: stack of thread T2 (race_reader)");
    assert_string_equal(stack_with_role(&a.report.findings[2], "location", 0)->title,
                        "Location: unknown memory (not a global, heap block or thread stack that "
                        "ccheck knows of)");
    expect_contains(stack_with_role(&a.report.findings[3], "location", 0)->title,
                    "Location: global 'race_counter'");
    finish(&a);
    free(path);
}

/* A pair seen from either side is one race, in one trace or several; a
 * third pair is another. */
static void test_dedup_by_code_locations(void **state)
{
    (void)state;
    program_t p;
    char *paths[2];
    for (int i = 0; i < 2; i++) {
        paths[i] = begin(&p);
        cc_rec_race_t race = global_race(&p);
        write_race(&race, table_held);
        if (i == 0) {
            /* The same two places the other way round: T2 writes in
             * race_peek's code, racing with T1's earlier write in race_bump. */
            cc_rec_race_t swapped = race;
            swapped.current = race.previous;
            swapped.previous = race.current;
            swapped.current.flags = CC_ACCESS_WRITE;
            write_race(&swapped, table_held);
            /* A third place: the pair (race_bump, race_worker). */
            cc_rec_race_t other = race;
            other.previous.pc = PC(race_worker);
            write_race(&other, table_held);
        }
        end();
    }
    analyzed_t a;
    analyze(&a, (const char *const *)paths, 2);
    assert_int_equal(a.traces[0].n_races, 3);
    assert_int_equal(a.traces[1].n_races, 1);
    assert_int_equal(a.report.n_findings, 2);
    expect_contains(a.report.findings[0].message, "with no happens-before between them (seen 3 "
                                                  "times)");
    /* The first record seen is the one shown. */
    expect_contains(a.report.findings[0].message, "write of size 4 at 0x");
    expect_contains(a.report.findings[0].message, "by thread T1 (race_worker) of pid 4242");
    assert_null(strstr(a.report.findings[1].message, "seen"));
    finish(&a);
    for (int i = 0; i < 2; i++)
        free(paths[i]);
}

static void test_free_and_atomic_accesses(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    race.current.n_held = 0;
    in_heap_block(&race, &p, 1);
    race.current.flags = CC_ACCESS_FREE | CC_ACCESS_WRITE;
    race.current.addr = HEAP_BLOCK;
    race.current.size = 64;
    race.previous.addr = HEAP_BLOCK + 8;
    race.previous.size = 8;
    race.previous.flags = CC_ACCESS_WRITE;
    write_race(&race, NULL);
    /* An atomic read racing with a plain write. */
    race.current = global_race(&p).current;
    race.current.pc = PC(race_alloc);
    race.current.n_held = 0;
    race.current.flags = CC_ACCESS_ATOMIC;
    race.current.addr = HEAP_BLOCK + 8;
    race.current.size = 8;
    write_race(&race, NULL);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 2);
    char want[300];
    snprintf(want, sizeof want,
             "free of the block at %#llx by thread T1 (race_worker) races with an earlier write "
             "of size 8 at %#llx by thread T2 (race_reader), with no happens-before between them",
             (unsigned long long)HEAP_BLOCK, (unsigned long long)HEAP_BLOCK + 8);
    assert_string_equal(a.report.findings[0].message, want);
    expect_contains(stack_with_role(&a.report.findings[0], "access", 0)->title, "Free of the block");
    expect_contains(stack_with_role(&a.report.findings[0], "alloc", 0)->title,
                    "allocated by thread T1 (race_worker) here");
    expect_contains(a.report.findings[1].message, "atomic read of size 8 at 0x");
    finish(&a);
    free(path);
}

/* A file descriptor's word: a close racing with a use, the descriptor
 * made at a known place; an opening racing with a use, of a descriptor
 * whose making was not seen. No address is named: it is the runtime's. */
static void test_file_descriptors(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    race.current.n_held = 0;
    race.current.flags = CC_ACCESS_FREE | CC_ACCESS_WRITE;
    race.current.addr = race.previous.addr = 0x7f1200000018;
    race.current.size = race.previous.size = 8;
    race.memory = CC_MEMORY_FD;
    race.mem_base = 5;
    race.mem_thread = 0;
    race.mem_stack = intern2(PC(race_spawn), 0);
    write_race(&race, NULL);
    race.current.pc = PC(race_alloc);
    race.current.flags = CC_ACCESS_WRITE;
    race.mem_base = 1023;
    race.mem_thread = CC_TRACE_NO_THREAD;
    race.mem_stack = CC_TRACE_NO_STACK;
    write_race(&race, NULL);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 2);
    const cc_finding_t *closed = &a.report.findings[0];
    assert_string_equal(closed->message,
                        "close of file descriptor 5 by thread T1 (race_worker) races with an "
                        "earlier use of file descriptor 5 by thread T2 (race_reader), with no "
                        "happens-before between them");
    assert_string_equal(stack_with_role(closed, "access", 0)->title,
                        "Close of file descriptor 5 by thread T1 (race_worker), holding no locks");
    assert_string_equal(stack_with_role(closed, "previous", 0)->title,
                        "Previous use of file descriptor 5 by thread T2 (race_reader), holding "
                        "no locks");
    const cc_report_stack_t *made = stack_with_role(closed, "location", 0);
    assert_string_equal(made->title,
                        "Location: file descriptor 5, made by thread T0 (main thread) here");
    assert_int_equal(made->n_frames, 1);
    expect_function(made, 0, "race_spawn");

    const cc_finding_t *opened = &a.report.findings[1];
    expect_contains(opened->message, "opening of file descriptor 1023 by thread T1");
    const cc_report_stack_t *unknown = stack_with_role(opened, "location", 0);
    assert_int_equal(unknown->n_frames, 0);
    expect_contains(unknown->title, "Location: file descriptor 1023 (ccheck did not see it made");
    finish(&a);
    free(path);
}

/* Locks both accesses held keep one number; several are listed. */
static void test_held_locks(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    race.current.n_held = 2;
    race.previous.n_held = 1;
    race.previous.flags = CC_ACCESS_WRITE;
    const uint64_t held[] = {OTHER_LOCK, TABLE_LOCK, TABLE_LOCK};
    write_race(&race, held);
    /* Twenty locks: the first eight are named, the rest counted. */
    uint64_t many[20];
    for (uint32_t i = 0; i < 20; i++)
        many[i] = 100 + i;
    race.current.n_held = 20;
    race.previous.n_held = 0;
    race.current.pc = PC(race_spawn);
    write_race(&race, many);
    end();

    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 2);
    const cc_finding_t *f = &a.report.findings[0];
    expect_contains(stack_with_role(f, "access", 0)->title,
                    ", holding lock M1 and mutex M2 'race_table_lock'");
    expect_contains(stack_with_role(f, "previous", 0)->title,
                    ", holding mutex M2 'race_table_lock'");
    const char *title = stack_with_role(&a.report.findings[1], "access", 0)->title;
    expect_contains(title, ", holding lock M1, lock M2, lock M3, lock M4, lock M5, lock M6, lock "
                           "M7, lock M8 and 12 more locks");
    finish(&a);
    free(path);
}

/* ---- hostile records ---------------------------------------------------------------- */

typedef struct bad_case {
    const char *why;
    void (*spoil)(cc_rec_race_t *race);
} bad_case_t;

static void spoil_size(cc_rec_race_t *r) { r->previous.size = 0; }
static void spoil_wrap(cc_rec_race_t *r) { r->current.addr = UINT64_MAX - 1; }
static void spoil_flags(cc_rec_race_t *r) { r->current.flags |= 1u << 7; }
static void spoil_atomic_free(cc_rec_race_t *r) { r->current.flags |= CC_ACCESS_FREE | CC_ACCESS_ATOMIC; }
static void spoil_no_thread(cc_rec_race_t *r) { r->current.thread = CC_TRACE_NO_THREAD; }
static void spoil_same_thread(cc_rec_race_t *r) { r->previous.thread = r->current.thread; }
static void spoil_reads(cc_rec_race_t *r) { r->current.flags = 0; }
static void spoil_memory(cc_rec_race_t *r) { r->memory = 9; }
static void spoil_heap_empty(cc_rec_race_t *r) { r->memory = CC_MEMORY_HEAP; }
static void spoil_heap_outside(cc_rec_race_t *r)
{
    r->memory = CC_MEMORY_HEAP;
    r->mem_base = HEAP_BLOCK;
    r->mem_size = 64;
}
static void spoil_stack(cc_rec_race_t *r) { r->memory = CC_MEMORY_STACK; }
static void spoil_fd(cc_rec_race_t *r)
{
    r->memory = CC_MEMORY_FD;
    r->mem_base = UINT64_C(1) << 31;
}

static const bad_case_t bad_cases[] = {
    {"an access of no bytes", spoil_size},
    {"an access that wraps around the address space", spoil_wrap},
    {"unknown access flags", spoil_flags},
    {"a free that is atomic", spoil_atomic_free},
    {"the current access has no thread", spoil_no_thread},
    {"both accesses are by one thread", spoil_same_thread},
    {"neither access is a write", spoil_reads},
    {"unknown memory kind", spoil_memory},
    {"an empty heap block", spoil_heap_empty},
    {"neither access lies in its heap block", spoil_heap_outside},
    {"a thread stack without its thread", spoil_stack},
    {"a file descriptor beyond any an int can hold", spoil_fd},
};

static void expect_load_error(const char *path, const char *why)
{
    cc_trace_t t;
    char err[512];
    assert_int_equal(cc_trace_load(path, &t, err, sizeof err), -1);
    expect_contains(err, path);
    expect_contains(err, "corrupt race record at offset ");
    expect_contains(err, why);
    cc_trace_free(&t);
}

static void test_malformed_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < CC_ARRAY_SIZE(bad_cases); i++) {
        program_t p;
        char *path = begin(&p);
        cc_rec_race_t race = global_race(&p);
        bad_cases[i].spoil(&race);
        write_race(&race, table_held);
        end();
        expect_load_error(path, bad_cases[i].why);
        free(path);
    }
}

/* n_held counts that the record does not hold, up to ones whose product
 * with 8 overflows 32 bits; and exactly as many as it holds. */
static void test_held_counts(void **state)
{
    (void)state;
    static const uint32_t counts[][2] = {{2, 0}, {0, 2}, {1, 1}, {UINT32_MAX, UINT32_MAX},
                                         {0x20000000, 0}};
    for (size_t i = 0; i < CC_ARRAY_SIZE(counts); i++) {
        program_t p;
        char *path = begin(&p);
        struct {
            cc_rec_race_t rec;
            uint64_t held[1];
        } buf = {.rec = global_race(&p), .held = {TABLE_LOCK}};
        buf.rec.current.n_held = counts[i][0];
        buf.rec.previous.n_held = counts[i][1];
        write_record_as(&threads[1], CC_REC_RACE, &buf.rec.h, sizeof buf);
        end();
        expect_load_error(path, "its held locks run past the record");
        free(path);
    }
    /* A record shorter than the fixed part. */
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    write_record_as(&threads[1], CC_REC_RACE, &race.h, sizeof race - 8);
    end();
    cc_trace_t t;
    char err[512];
    assert_int_equal(cc_trace_load(path, &t, err, sizeof err), -1);
    expect_contains(err, "record shorter than its type's fixed part");
    cc_trace_free(&t);
    free(path);
}

/* A trace cut inside a race record keeps the races before it. */
static void test_truncated_race(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    write_race(&race, table_held);
    size_t before = trace_file_size(path);
    race.previous.pc = PC(race_worker);
    write_race(&race, table_held);
    size_t len;
    uint8_t *bytes = read_whole_file(path, &len);
    assert_true(len > before + 40);
    write_whole_file(path, bytes, before + 40);
    free(bytes);

    analyzed_t a;
    analyze_one(&a, path);
    assert_true(a.traces[0].truncated);
    assert_int_equal(a.traces[0].valid_bytes, before);
    assert_int_equal(a.traces[0].n_races, 1);
    assert_int_equal(a.report.n_findings, 1);
    finish(&a);
    free(path);
}

/* ---- the data-symbol lookup ------------------------------------------------------ */

static void test_data_symbols(void **state)
{
    (void)state;
    program_t p;
    char *path = begin(&p);
    end();
    cc_trace_t t;
    load_trace_or_fail(path, &t);
    cc_symbolizer_t *s = cc_symbolizer_new(t.modules, t.n_modules, NULL, NULL);
    assert_non_null(s);
    cc_data_symbol_t sym;
    assert_true(cc_symbolize_data(s, ADDR(&race_counter) + 2, &sym));
    assert_string_equal(sym.name, "race_counter");
    assert_int_equal(sym.offset, 2);
    assert_int_equal(sym.size, sizeof race_counter);
    assert_string_equal(sym.module, own_exe_path());
    assert_true(cc_symbolize_data(s, ADDR(&race_table_lock) + sizeof race_table_lock - 1, &sym));
    assert_string_equal(sym.name, "race_table_lock");
    /* Code is not data; nothing maps 0x10. */
    assert_false(cc_symbolize_data(s, ADDR(race_bump), &sym));
    assert_non_null(sym.module);
    assert_false(cc_symbolize_data(s, 0x10, &sym));
    assert_null(sym.module);
    cc_symbolizer_free(s);
    cc_trace_free(&t);
    free(path);
}

/* ---- outputs ------------------------------------------------------------------------ */

/* The golden trace: a race on a global with full stacks, a free racing
 * with a write whose stack was not kept (only its pc), and a race on a
 * thread's stack with the earlier access's history gone. */
static char *write_golden_trace(void)
{
    program_t p;
    char *path = begin(&p);
    cc_rec_race_t race = global_race(&p);
    write_race(&race, table_held);

    cc_rec_race_t freed = global_race(&p);
    freed.current = (cc_race_access_t){.thread = 2, .stack = p.peek, .pc = PC(race_peek),
                                       .addr = HEAP_BLOCK, .size = 64,
                                       .flags = CC_ACCESS_FREE | CC_ACCESS_WRITE};
    freed.previous = (cc_race_access_t){.thread = 1, .pc = PC(race_worker),
                                        .addr = HEAP_BLOCK + 8, .size = 8,
                                        .flags = CC_ACCESS_WRITE};
    in_heap_block(&freed, &p, 0);
    write_race(&freed, NULL);
    write_race(&freed, NULL); /* from another process, say: seen twice */

    cc_rec_race_t on_stack = global_race(&p);
    on_stack.current.pc = PC(race_worker);
    on_stack.current.addr = on_stack.previous.addr = STACK_ADDR;
    on_stack.current.size = on_stack.previous.size = 8;
    on_stack.previous.stack = CC_TRACE_NO_STACK;
    on_stack.previous.pc = 0;
    on_stack.memory = CC_MEMORY_STACK;
    on_stack.mem_thread = 2;
    write_race(&on_stack, table_held);
    end();

    const char *keep = getenv("CC_RACE_KEEP");
    if (keep && *keep) {
        size_t len;
        uint8_t *bytes = read_whole_file(path, &len);
        char kept[PATH_MAX];
        snprintf(kept, sizeof kept, "%s/race.trace", keep);
        write_whole_file(kept, bytes, len);
        free(bytes);
    }
    return path;
}

/* Replaces every `from` in text (a malloc'd string) with `to`. */
static char *replace_all(char *text, const char *from, const char *to)
{
    size_t from_len = strlen(from), to_len = strlen(to), n = 0;
    for (const char *at = text; (at = strstr(at, from)); at += from_len)
        n++;
    char *out = malloc(strlen(text) + n * to_len + 1), *o = out;
    assert_non_null(out);
    const char *in = text;
    for (const char *at; (at = strstr(in, from)); in = at + from_len) {
        memcpy(o, in, (size_t)(at - in));
        o += at - in;
        memcpy(o, to, to_len);
        o += to_len;
    }
    strcpy(o, in);
    free(text);
    return out;
}

/* Addresses, the program's path and the source directory change between
 * builds; what the golden files pin is everything else. */
static char *mask(char *text)
{
    static const char digits[] = "0123456789abcdef";
    text = replace_all(text, own_exe_path(), "<exe>");
    text = replace_all(text, CC_TEST_SOURCE_DIR, "<tests>");
    char *out = malloc(strlen(text) + 1), *o = out;
    assert_non_null(out);
    for (const char *in = text; *in;) {
        if (in[0] == '0' && in[1] == 'x' && in[2] && strchr(digits, in[2])) {
            o = stpcpy(o, "0x?");
            for (in += 2; *in && strchr(digits, *in); in++)
                ;
        } else {
            *o++ = *in++;
        }
    }
    *o = 0;
    free(text);
    return out;
}

static char *read_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        fail_msg("cannot open golden file %s: %s (run with CC_UPDATE_GOLDEN=1 to create it)",
                 path, strerror(errno));
    fclose(in);
    size_t len;
    char *text = (char *)read_whole_file(path, &len);
    text[len] = 0;
    return text;
}

static void check_golden(const analyzed_t *a, output_fn output, const char *name)
{
    char *got = mask(render_report(output, &a->report, NULL));
    char path[4096];
    snprintf(path, sizeof path, "%s%s", GOLDEN_DIR, name);
    const char *update = getenv("CC_UPDATE_GOLDEN");
    if (update && *update) {
        write_whole_file(path, got, strlen(got));
    } else {
        char *want = read_file(path);
        if (strcmp(want, got) != 0) {
            size_t line = 1, start = 0;
            for (size_t i = 0; want[i] && want[i] == got[i]; i++)
                if (want[i] == '\n') {
                    line++;
                    start = i + 1;
                }
            print_error("%s differs at line %zu:\n  golden: %.*s\n  output: %.*s\n", path, line,
                        (int)strcspn(want + start, "\n"), want + start,
                        (int)strcspn(got + start, "\n"), got + start);
            fail_msg("output does not match %s (CC_UPDATE_GOLDEN=1 rewrites it)", path);
        }
        free(want);
    }
    free(got);
}

static json_object *get(json_object *object, const char *key)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(object, key, &value))
        fail_msg("JSON has no \"%s\"", key);
    return value;
}

static const char *get_string(json_object *object, const char *key)
{
    return json_object_get_string(get(object, key));
}

static json_object *parse(const analyzed_t *a, output_fn output)
{
    char *text = render_report(output, &a->report, NULL);
    json_object *root = json_tokener_parse(text);
    free(text);
    assert_non_null(root);
    return root;
}

static void test_outputs(void **state)
{
    (void)state;
    char *path = write_golden_trace();
    analyzed_t a;
    analyze_one(&a, path);
    assert_int_equal(a.report.n_findings, 3);
    check_golden(&a, cc_output_text, "race_report.txt");
    check_golden(&a, cc_output_json, "race_report.json");
    check_golden(&a, cc_output_sarif, "race_report.sarif");

    /* Whatever the golden files say: */
    char *text = render_report(cc_output_text, &a.report, NULL);
    expect_contains(text, "==ccheck== ERROR: data-race (race)\n");
    expect_contains(text, "SUMMARY: ccheck: 3 findings (3 race) in 1 trace\n");
    /* A frameless stack is a line of its own, with no colon. */
    expect_contains(text, "  Location: stack of thread T2 (race_reader)\n  Thread T1");
    free(text);

    json_object *root = parse(&a, cc_output_json);
    assert_int_equal(json_object_get_int(get(get(get(root, "summary"), "by_category"), "race")),
                     3);
    json_object *finding = json_object_array_get_idx(get(root, "findings"), 0);
    assert_string_equal(get_string(finding, "category"), "race");
    assert_string_equal(get_string(finding, "kind"), "data-race");
    assert_string_equal(get_string(finding, "severity"), "error");
    assert_int_equal(json_object_array_length(get(finding, "threads")), 2);
    static const char *const roles[] = {"access", "previous", "location", "create", "create"};
    json_object *stacks = get(finding, "stacks");
    assert_int_equal(json_object_array_length(stacks), CC_ARRAY_SIZE(roles));
    for (size_t i = 0; i < CC_ARRAY_SIZE(roles); i++)
        assert_string_equal(get_string(json_object_array_get_idx(stacks, i), "role"), roles[i]);
    json_object_put(root);

    /* SARIF: at the access's first source frame, the earlier access
     * related. */
    root = parse(&a, cc_output_sarif);
    json_object *result =
        json_object_array_get_idx(get(json_object_array_get_idx(get(root, "runs"), 0), "results"), 0);
    assert_string_equal(get_string(result, "ruleId"), "data-race");
    json_object *physical =
        get(json_object_array_get_idx(get(result, "locations"), 0), "physicalLocation");
    const char *uri = get_string(get(physical, "artifactLocation"), "uri");
    expect_contains(uri, "/test_race_report.c");
    assert_int_equal(json_object_get_int(get(get(physical, "region"), "startLine")), bump_line);
    json_object *related = json_object_array_get_idx(get(result, "relatedLocations"), 0);
    expect_contains(get_string(get(related, "message"), "text"), "Previous read of size 4");
    json_object_put(root);
    finish(&a);
    free(path);
}

/* `ccheck report` says 66 for races, as for every finding. */
static void test_exit_status(void **state)
{
    (void)state;
    char *path = write_golden_trace();
    cc_report_options_t options = {.format = CC_FORMAT_JSON, .exitcode = CC_EXIT_FINDINGS};
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(cc_report_traces(&options, &path, 1, out), CC_EXIT_FINDINGS);
    fclose(out);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    if (!make_trace_dir("race") || !own_exe_path())
        return -1;
    start_runtime_by_hand();
    for (uint32_t i = 0; i < CC_ARRAY_SIZE(threads); i++)
        threads[i].tid = i;
    /* The program's code is only ever pointed at; calling it once keeps
     * the compiler from finding it unused. */
    race_worker(NULL);
    race_reader(NULL);
    race_spawn();
    race_alloc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_trace_dir();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_with_full_stacks),
        cmocka_unit_test(test_previous_stack_not_restored),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_dedup_by_code_locations),
        cmocka_unit_test(test_free_and_atomic_accesses),
        cmocka_unit_test(test_file_descriptors),
        cmocka_unit_test(test_held_locks),
        cmocka_unit_test(test_malformed_fields),
        cmocka_unit_test(test_held_counts),
        cmocka_unit_test(test_truncated_race),
        cmocka_unit_test(test_data_symbols),
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_exit_status),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
