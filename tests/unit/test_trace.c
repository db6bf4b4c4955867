/* Unit tests of the trace format end to end: the runtime's writer
 * (runtime/trace.c, stack.c, lock_table.c) writes a trace into
 * a private directory, and the analyzer's reader (analyzer/trace_reader.c)
 * must give back every field. Then damaged copies of that trace: cut short at
 * every record (a prefix of whole records loads, flagged truncated when the
 * cut is inside a record), a flipped payload byte (checksum error), a file
 * that is not a trace, a newer version, an empty file and a missing one.
 *
 * The runtime is driven by hand: no constructor runs in a unit test, so the
 * setup initialises the lock table and the stack depot itself, and records
 * are written "by" hand-made cc_thread_t's set as cc_current_thread. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccheck/trace_format.h"
#include "lock_table.h"
#include "stack.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

static const char *dir; /* the trace directory */
static const char *exe;

/* ---- walking records ------------------------------------------------------ */

/* The records of a well-formed trace: the walk must reach the end, as the
 * writer leaves no partial record. */
static size_t walk(const uint8_t *buf, size_t len, rec_pos_t *out, size_t max)
{
    size_t end;
    size_t n = walk_records(buf, len, out, max, &end);
    assert_int_equal(end, len);
    return n;
}

static size_t count_type(const rec_pos_t *recs, size_t n, uint16_t type)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += recs[i].type == type;
    return count;
}

/* ---- writing the trace ---------------------------------------------------- */

/* What the test wrote, to compare with what the reader gives back. */
static struct {
    char *path;
    uint8_t *bytes;
    size_t len;
    rec_pos_t recs[512];
    size_t n_recs;
    uint64_t written_after; /* CLOCK_REALTIME just before cc_trace_open */

    uint64_t pcs_a[3], pcs_b[1], pcs_long[CC_TRACE_MAX_FRAMES];
    uint32_t stack_a, stack_b, stack_long, site_1, site_2;
    size_t n_stacks; /* distinct stacks interned */

    cc_lock_t lock_a_first; /* lock A as first written (then destroyed) */
    cc_lock_t *a, *b, *c, *d;
    uint64_t site_pc_1, site_pc_2;
} w;

static cc_thread_t t0 = {.tid = 0}, t1 = {.tid = 1}, t2 = {.tid = 2}, t3 = {.tid = 3};

__attribute__((noinline)) static void write_trace(void)
{
    w.written_after = (uint64_t)time(NULL) * 1000000000ull;
    w.path = open_new_trace(CC_ORIGIN_START);

    /* Stacks: the same stack twice gives one record and one id. */
    for (uint32_t i = 0; i < 3; i++)
        w.pcs_a[i] = 0x401000 + 0x10 * i;
    w.pcs_b[0] = 0x7f0000001234;
    for (uint32_t i = 0; i < CC_TRACE_MAX_FRAMES; i++)
        w.pcs_long[i] = 0x500000 + 8 * i;
    w.stack_a = cc_stack_intern(w.pcs_a, 3);
    w.stack_b = cc_stack_intern(w.pcs_b, 1);
    assert_int_equal(cc_stack_intern(w.pcs_a, 3), w.stack_a);
    w.stack_long = cc_stack_intern(w.pcs_long, CC_TRACE_MAX_FRAMES);
    w.n_stacks = 3;

    /* T0 starts; it creates T1 (joinable, C11), T2 (detached) and T3
     * (detached later). */
    cc_rec_thread_start_t start = {.os_tid = 1000};
    write_record_as(&t0, CC_REC_THREAD_START, &start.h, sizeof start);
    cc_rec_thread_create_t create = {.child = 1, .flags = CC_THREAD_C11, .start_pc = 0x401234,
                                     .create_stack = w.stack_a};
    write_record_as(&t0, CC_REC_THREAD_CREATE, &create.h, sizeof create);
    create = (cc_rec_thread_create_t){.child = 2, .flags = CC_THREAD_DETACHED,
                                      .start_pc = 0x405678, .create_stack = w.stack_b};
    write_record_as(&t0, CC_REC_THREAD_CREATE, &create.h, sizeof create);
    create = (cc_rec_thread_create_t){.child = 3, .flags = 0, .start_pc = 0x409abc,
                                      .create_stack = w.stack_long};
    write_record_as(&t0, CC_REC_THREAD_CREATE, &create.h, sizeof create);
    start.os_tid = 1001;
    write_record_as(&t1, CC_REC_THREAD_START, &start.h, sizeof start);
    start.os_tid = 1002;
    write_record_as(&t2, CC_REC_THREAD_START, &start.h, sizeof start); /* runs past the end */

    /* Locks through the lock table: A is initialised, written, destroyed
     * and initialised again (a new instance, a new id, a second record). */
    w.site_pc_1 = 0x401500;
    w.site_pc_2 = 0x401600;
    w.a = cc_lock_initialized(0x10000, CC_LOCK_MUTEX, w.site_pc_1);
    cc_current_thread = &t1;
    cc_lock_write_record(w.a);
    cc_lock_write_record(w.a); /* once per trace */
    cc_current_thread = NULL;
    w.lock_a_first = *w.a;
    cc_lock_destroyed(0x10000);
    w.a = cc_lock_initialized(0x10000, CC_LOCK_MUTEX, w.site_pc_2);
    w.b = cc_lock_get(0x20000, CC_LOCK_RWLOCK, w.site_pc_2);
    w.c = cc_lock_initialized(0x30000, CC_LOCK_SPIN, w.site_pc_1);
    w.d = cc_lock_get(0x40000, CC_LOCK_C11_MTX, w.site_pc_1);
    cc_lock_write_record(w.a);
    cc_lock_write_record(w.b);
    cc_lock_write_record(w.c);
    cc_lock_write_record(w.d);
    w.site_1 = cc_stack_intern(&w.site_pc_1, 1);
    w.site_2 = cc_stack_intern(&w.site_pc_2, 1);
    w.n_stacks += 2;

    /* T1 takes B while holding A, with C and D held too. */
    struct {
        cc_rec_lock_edge_t rec;
        cc_held_lock_t held[2];
    } edge = {.rec = {.from = w.a->id, .to = w.b->id, .from_stack = w.stack_a,
                      .to_stack = w.stack_b, .flags = CC_EDGE_TO_READ | CC_EDGE_FROM_READ,
                      .n_held = 2},
              .held = {{.id = w.c->id, .flags = 0}, {.id = w.d->id, .flags = CC_HELD_READ}}};
    write_record_as(&t1, CC_REC_LOCK_EDGE, &edge.rec.h, sizeof edge);

    /* A record type from a newer writer: skipped, counted. */
    struct {
        cc_rec_header_t h;
        uint8_t payload[5];
    } future = {.payload = {1, 2, 3, 4, 5}};
    write_record_as(&t1, (cc_rec_type_t)200, &future.h, sizeof future.h + sizeof future.payload);

    cc_rec_thread_exit_t exit_rec = {.how = CC_EXIT_PTHREAD_EXIT, .held_locks = 1};
    write_record_as(&t1, CC_REC_THREAD_EXIT, &exit_rec.h, sizeof exit_rec);
    cc_rec_thread_join_t join = {.target = 1, .stack = w.stack_b};
    write_record_as(&t0, CC_REC_THREAD_JOIN, &join.h, sizeof join);
    cc_rec_thread_detach_t detach = {.target = 3, .stack = w.stack_a};
    write_record_as(&t0, CC_REC_THREAD_DETACH, &detach.h, sizeof detach);
    exit_rec = (cc_rec_thread_exit_t){.how = CC_EXIT_UNWOUND, .held_locks = 0};
    write_record_as(&t3, CC_REC_THREAD_EXIT, &exit_rec.h, sizeof exit_rec);

    /* Two end records: an exec that failed, then _exit(7). The last counts. */
    cc_current_thread = &t0;
    cc_trace_end(CC_END_EXEC, 0);
    cc_trace_end(CC_END__EXIT, 7);
    cc_current_thread = NULL;

    w.bytes = read_whole_file(w.path, &w.len);
    w.n_recs = walk(w.bytes, w.len, w.recs, 512);
}

static int setup(void **state)
{
    (void)state;
    dir = make_trace_dir("trace");
    exe = own_exe_path();
    if (!dir || !exe)
        return -1;
    start_runtime_by_hand();
    write_trace();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_trace_dir();
    free(w.path);
    free(w.bytes);
    return 0;
}

/* ---- the whole trace round-trips ------------------------------------------ */

static int main_program(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uint64_t *)data = info->dlpi_addr;
    return 1; /* the first object is the main program */
}

/* Loads the trace that setup wrote; it must load. */
static void load_good(cc_trace_t *t) { load_trace_or_fail(w.path, t); }

static void test_trace_file_name(void **state)
{
    (void)state;
    char expected[PATH_MAX + 64];
    snprintf(expected, sizeof expected, "%s/ccheck.test_trace.%d.trace", dir, (int)getpid());
    assert_string_equal(w.path, expected);
}

static void test_header_and_process(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_memory_equal(t.header.magic, CC_TRACE_MAGIC, CC_TRACE_MAGIC_LEN);
    assert_int_equal(t.header.version, CC_TRACE_VERSION);
    assert_int_equal(t.header.header_size, sizeof(cc_trace_header_t));
    assert_int_equal(t.header.pid, getpid());
    assert_int_equal(t.header.ppid, getppid());
    assert_true(t.header.start_realtime_ns >= w.written_after);
    assert_true(t.header.start_realtime_ns < w.written_after + 600 * 1000000000ull);
    assert_true(t.header.start_monotonic_ns > 0);
    assert_int_equal(t.pid, getpid());
    assert_int_equal(t.ppid, getppid());
    assert_int_equal(t.origin, CC_ORIGIN_START);
    assert_string_equal(t.exe, exe);
    assert_string_equal(t.path, w.path);
    assert_false(t.truncated);
    assert_int_equal(t.valid_bytes, w.len);
    assert_int_equal(t.records, w.n_recs);
    assert_int_equal(t.unknown_records, 1);
    assert_int_equal(count_type(w.recs, w.n_recs, CC_REC_PROCESS), 1);
    assert_int_equal(w.recs[0].type, CC_REC_PROCESS); /* right after the header */
    cc_trace_free(&t);
}

static void test_modules(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_equal(t.n_modules, count_type(w.recs, w.n_recs, CC_REC_MODULE));
    assert_true(t.n_modules >= 2); /* at least this program and libc */
    uint64_t bias = UINT64_MAX;
    dl_iterate_phdr(main_program, &bias);
    uint64_t here = (uint64_t)(uintptr_t)&write_trace;
    size_t found = 0;
    for (size_t i = 0; i < t.n_modules; i++) {
        const cc_module_info_t *m = &t.modules[i];
        assert_true(m->start < m->end);
        assert_non_null(m->path);
        assert_int_equal(m->path[0], '/');
        assert_true(m->build_id_len <= CC_TRACE_MAX_BUILD_ID);
        if (strcmp(m->path, exe) != 0)
            continue;
        found++;
        assert_int_equal(m->bias, bias);
        assert_true(m->start <= here && here < m->end);
        assert_true(m->build_id_len > 0);
        bool nonzero = false;
        for (size_t k = 0; k < m->build_id_len; k++)
            nonzero |= m->build_id[k] != 0;
        assert_true(nonzero);
    }
    assert_int_equal(found, 1);
    cc_trace_free(&t);
}

static void assert_stack(const cc_trace_t *t, uint32_t id, const uint64_t *pcs, uint32_t depth)
{
    const cc_trace_stack_t *s = cc_trace_find_stack(t, id);
    assert_non_null(s);
    assert_int_equal(s->id, id);
    assert_int_equal(s->depth, depth);
    assert_memory_equal(s->pcs, pcs, depth * sizeof *pcs);
}

static void test_stacks(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_not_equal(w.stack_a, CC_TRACE_NO_STACK);
    assert_int_not_equal(w.stack_b, w.stack_a);
    assert_int_equal(count_type(w.recs, w.n_recs, CC_REC_STACK), w.n_stacks);
    assert_int_equal(t.n_stacks, w.n_stacks);
    for (size_t i = 1; i < t.n_stacks; i++)
        assert_true(t.stacks[i - 1].id < t.stacks[i].id); /* sorted, no repeats */
    assert_stack(&t, w.stack_a, w.pcs_a, 3);
    assert_stack(&t, w.stack_b, w.pcs_b, 1);
    assert_stack(&t, w.stack_long, w.pcs_long, CC_TRACE_MAX_FRAMES);
    assert_stack(&t, w.site_1, &w.site_pc_1, 1);
    assert_stack(&t, w.site_2, &w.site_pc_2, 1);
    assert_null(cc_trace_find_stack(&t, CC_TRACE_NO_STACK));
    cc_trace_free(&t);
}

/* Compares every field but exit_seq. */
static void assert_thread(const cc_trace_t *t, cc_trace_thread_t e)
{
    const cc_trace_thread_t *th = cc_trace_find_thread(t, e.tid);
    assert_non_null(th);
    assert_int_equal(th->tid, e.tid);
    assert_int_equal(th->created, e.created);
    assert_int_equal(th->creator, e.creator);
    assert_int_equal(th->flags, e.flags);
    assert_int_equal(th->start_pc, e.start_pc);
    assert_int_equal(th->create_stack, e.create_stack);
    assert_int_equal(th->started, e.started);
    assert_int_equal(th->os_tid, e.os_tid);
    assert_int_equal(th->exited, e.exited);
    assert_int_equal(th->exit_how, e.exit_how);
    assert_int_equal(th->held_at_exit, e.held_at_exit);
    assert_int_equal(th->joined, e.joined);
    assert_int_equal(th->joiner, e.joiner);
    assert_int_equal(th->join_stack, e.join_stack);
    assert_int_equal(th->detached, e.detached);
    assert_int_equal(th->detach_stack, e.detach_stack);
}

static void test_threads(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_equal(t.n_threads, 4);
    /* T0 has no create record. */
    assert_thread(&t, (cc_trace_thread_t){.tid = 0, .started = true, .os_tid = 1000});
    assert_thread(&t, (cc_trace_thread_t){
                          .tid = 1, .created = true, .creator = 0, .flags = CC_THREAD_C11,
                          .start_pc = 0x401234, .create_stack = w.stack_a, .started = true,
                          .os_tid = 1001, .exited = true, .exit_how = CC_EXIT_PTHREAD_EXIT,
                          .held_at_exit = 1, .joined = true, .joiner = 0,
                          .join_stack = w.stack_b});
    /* Created detached, still running at the end. */
    assert_thread(&t, (cc_trace_thread_t){
                          .tid = 2, .created = true, .flags = CC_THREAD_DETACHED,
                          .start_pc = 0x405678, .create_stack = w.stack_b, .started = true,
                          .os_tid = 1002, .detached = true});
    /* Detached later, exited without a start record. */
    assert_thread(&t, (cc_trace_thread_t){
                          .tid = 3, .created = true, .start_pc = 0x409abc,
                          .create_stack = w.stack_long, .exited = true,
                          .exit_how = CC_EXIT_UNWOUND, .detached = true,
                          .detach_stack = w.stack_a});
    assert_true(cc_trace_find_thread(&t, 1)->exit_seq < t.end_seq);
    assert_true(cc_trace_find_thread(&t, 3)->exit_seq > cc_trace_find_thread(&t, 1)->exit_seq);
    assert_null(cc_trace_find_thread(&t, 4));
    assert_null(cc_trace_find_thread(&t, CC_TRACE_NO_THREAD));
    cc_trace_free(&t);
}

static void assert_lock(const cc_trace_lock_t *l, const cc_lock_t *expected, uint32_t site)
{
    assert_non_null(l);
    assert_int_equal(l->id, expected->id);
    assert_int_equal(l->addr, expected->addr);
    assert_int_equal(l->kind, expected->kind);
    assert_int_equal(l->origin, expected->origin);
    assert_int_equal(l->site_stack, site);
}

static void test_locks(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_equal(count_type(w.recs, w.n_recs, CC_REC_LOCK), 5);
    assert_int_equal(t.n_locks, 5);
    /* Ids are distinct: the re-initialised A is a new instance. */
    assert_int_not_equal(w.lock_a_first.id, w.a->id);
    for (size_t i = 1; i < t.n_locks; i++)
        assert_true(t.locks[i - 1].id < t.locks[i].id);
    assert_lock(cc_trace_find_lock(&t, w.lock_a_first.id), &w.lock_a_first, w.site_1);
    assert_lock(cc_trace_find_lock(&t, w.a->id), w.a, w.site_2);
    assert_lock(cc_trace_find_lock(&t, w.b->id), w.b, w.site_2);
    assert_lock(cc_trace_find_lock(&t, w.c->id), w.c, w.site_1);
    assert_lock(cc_trace_find_lock(&t, w.d->id), w.d, w.site_1);
    assert_int_equal(w.lock_a_first.origin, CC_LOCK_FROM_INIT);
    assert_int_equal(w.b->origin, CC_LOCK_FROM_FIRST_USE);
    assert_int_equal(w.b->kind, CC_LOCK_RWLOCK);
    assert_int_equal(w.c->kind, CC_LOCK_SPIN);
    assert_int_equal(w.d->kind, CC_LOCK_C11_MTX);
    assert_int_equal(w.a->addr, w.lock_a_first.addr);
    cc_trace_free(&t);
}

static void test_lock_edge(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_equal(t.n_edges, 1);
    const cc_trace_edge_t *e = &t.edges[0];
    assert_int_equal(e->thread, 1);
    assert_int_equal(e->from, w.a->id);
    assert_int_equal(e->to, w.b->id);
    assert_int_equal(e->from_stack, w.stack_a);
    assert_int_equal(e->to_stack, w.stack_b);
    assert_int_equal(e->flags, CC_EDGE_TO_READ | CC_EDGE_FROM_READ);
    assert_int_equal(e->n_held, 2);
    assert_int_equal(e->held[0].id, w.c->id);
    assert_int_equal(e->held[0].flags, 0);
    assert_int_equal(e->held[1].id, w.d->id);
    assert_int_equal(e->held[1].flags, CC_HELD_READ);
    cc_trace_free(&t);
}

static void test_process_end(void **state)
{
    (void)state;
    cc_trace_t t;
    load_good(&t);
    assert_int_equal(count_type(w.recs, w.n_recs, CC_REC_PROCESS_END), 2);
    assert_int_equal(w.recs[w.n_recs - 1].type, CC_REC_PROCESS_END);
    assert_true(t.has_end);
    assert_int_equal(t.end_reason, CC_END__EXIT);
    assert_int_equal(t.end_status, 7);
    assert_int_equal(t.end_seq, w.n_recs - 1); /* the last record read */
    cc_trace_free(&t);
}

/* Every record carries its writer's thread id, and NO_THREAD when the
 * runtime knows no current thread (cc_trace_open's records here). */
static void test_writer_thread_ids(void **state)
{
    (void)state;
    for (size_t i = 0; i < w.n_recs; i++) {
        cc_rec_header_t h;
        memcpy(&h, w.bytes + w.recs[i].offset, sizeof h);
        assert_int_equal(h.zero, 0);
        assert_int_equal(h.crc, cc_trace_crc32(w.bytes + w.recs[i].offset + sizeof h,
                                               h.size - sizeof h));
        switch (h.type) {
        case CC_REC_PROCESS:
        case CC_REC_MODULE:
            assert_int_equal(h.thread, CC_TRACE_NO_THREAD);
            break;
        case CC_REC_THREAD_CREATE:
        case CC_REC_THREAD_JOIN:
        case CC_REC_THREAD_DETACH:
        case CC_REC_PROCESS_END:
            assert_int_equal(h.thread, 0);
            break;
        case CC_REC_LOCK_EDGE:
            assert_int_equal(h.thread, 1);
            break;
        default:
            break;
        }
    }
}

/* ---- damaged traces -------------------------------------------------------- */

/* Loading path fails with a one-line message that starts with the path and
 * says `needle`. */
static void assert_load_error(const char *path, const char *needle)
{
    cc_trace_t t;
    char err[512] = "";
    assert_int_equal(cc_trace_load(path, &t, err, sizeof err), -1);
    cc_trace_free(&t);
    size_t n = strlen(path);
    assert_int_equal(strncmp(err, path, n), 0);
    assert_int_equal(strncmp(err + n, ": ", 2), 0);
    assert_true(strlen(err) > n + 2);
    assert_null(strchr(err, '\n'));
    if (needle && !strstr(err, needle))
        fail_msg("'%s' does not say '%s'", err, needle);
}

/* The good trace with `len` bytes of it, and `flip` xor-ed into the byte at
 * `at` (when flip is nonzero), as a file of its own. */
static const char *damaged_copy(size_t len, size_t at, uint8_t flip)
{
    const char *path = trace_dir_file("damaged.trace");
    uint8_t *copy = malloc(w.len);
    assert_non_null(copy);
    memcpy(copy, w.bytes, w.len);
    copy[at] ^= flip;
    write_whole_file(path, copy, len);
    free(copy);
    return path;
}

/* Loads the first `len` bytes of the good trace; they must load. */
static void load_prefix(size_t len, cc_trace_t *t)
{
    char err[512];
    if (cc_trace_load(damaged_copy(len, 0, 0), t, err, sizeof err) != 0)
        fail_msg("cut at %zu: %s", len, err);
}

static void test_cut_at_record_boundaries(void **state)
{
    (void)state;
    for (size_t i = 0; i <= w.n_recs; i++) {
        size_t boundary = i < w.n_recs ? w.recs[i].offset : w.len;
        cc_trace_t t;
        load_prefix(boundary, &t);
        assert_false(t.truncated);
        assert_int_equal(t.records, i);
        assert_int_equal(t.valid_bytes, boundary);
        cc_trace_free(&t);
    }
}

static void test_cut_inside_records(void **state)
{
    (void)state;
    size_t cuts = 0;
    for (size_t i = 0; i < w.n_recs; i++) {
        const rec_pos_t *r = &w.recs[i];
        /* Inside the record header (1, 8 and 15 bytes of it), then inside
         * the payload (first byte, middle, all but the last byte). */
        size_t offsets[] = {1, 8, sizeof(cc_rec_header_t) - 1, sizeof(cc_rec_header_t) + 1,
                            sizeof(cc_rec_header_t) + (r->size - sizeof(cc_rec_header_t)) / 2,
                            r->size - 1};
        for (size_t k = 0; k < CC_ARRAY_SIZE(offsets); k++) {
            if (offsets[k] == 0 || offsets[k] >= r->size)
                continue;
            cc_trace_t t;
            load_prefix(r->offset + offsets[k], &t);
            assert_true(t.truncated);
            assert_int_equal(t.records, i);
            assert_int_equal(t.valid_bytes, r->offset);
            /* What came before the cut is all there. */
            if (i > 0 && w.recs[i - 1].type == CC_REC_PROCESS_END)
                assert_true(t.has_end);
            if (i == 0)
                assert_int_equal(t.n_modules, 0);
            cc_trace_free(&t);
            cuts++;
        }
    }
    assert_true(cuts >= 5 * w.n_recs);
}

static void test_cut_inside_file_header(void **state)
{
    (void)state;
    assert_load_error(damaged_copy(sizeof(cc_trace_header_t) - 1, 0, 0), "cut short");
    assert_load_error(damaged_copy(CC_TRACE_MAGIC_LEN + 4, 0, 0), "cut short");
    /* The header alone: a trace with no records, whole. */
    cc_trace_t t;
    load_prefix(sizeof(cc_trace_header_t), &t);
    assert_false(t.truncated);
    assert_int_equal(t.records, 0);
    cc_trace_free(&t);
}

static void test_flipped_payload_byte(void **state)
{
    (void)state;
    for (size_t i = 0; i < w.n_recs; i++) {
        const rec_pos_t *r = &w.recs[i];
        assert_true(r->size > sizeof(cc_rec_header_t)); /* every record here has a payload */
        size_t at = r->offset + sizeof(cc_rec_header_t) + (r->size - sizeof(cc_rec_header_t)) / 3;
        const char *path = damaged_copy(w.len, at, 0x10);
        assert_load_error(path, "checksum");
        char where[64];
        snprintf(where, sizeof where, "offset %zu", r->offset);
        assert_load_error(path, where);
    }
}

static void test_not_a_trace(void **state)
{
    (void)state;
    const char *path = trace_dir_file("random.txt");
    const char text[] = "random file\nwith some text in it, long enough to hold a header\n";
    write_whole_file(path, text, sizeof text - 1);
    assert_load_error(path, "not a ccheck trace");
}

static void test_newer_version(void **state)
{
    (void)state;
    uint32_t version;
    memcpy(&version, w.bytes + offsetof(cc_trace_header_t, version), sizeof version);
    assert_int_equal(version, CC_TRACE_VERSION);
    /* The low byte of the little-endian field: version + 1. */
    uint8_t flip = (uint8_t)(CC_TRACE_VERSION ^ (CC_TRACE_VERSION + 1));
    const char *path = damaged_copy(w.len, offsetof(cc_trace_header_t, version), flip);
    char needle[64];
    snprintf(needle, sizeof needle, "version %u", CC_TRACE_VERSION + 1);
    assert_load_error(path, needle);
}

static void test_empty_file(void **state)
{
    (void)state;
    const char *path = trace_dir_file("empty.trace");
    write_whole_file(path, "", 0);
    assert_load_error(path, NULL);
}

static void test_missing_file(void **state)
{
    (void)state;
    assert_load_error(trace_dir_file("no-such.trace"), strerror(ENOENT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_file_name),
        cmocka_unit_test(test_header_and_process),
        cmocka_unit_test(test_modules),
        cmocka_unit_test(test_stacks),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_locks),
        cmocka_unit_test(test_lock_edge),
        cmocka_unit_test(test_process_end),
        cmocka_unit_test(test_writer_thread_ids),
        cmocka_unit_test(test_cut_at_record_boundaries),
        cmocka_unit_test(test_cut_inside_records),
        cmocka_unit_test(test_cut_inside_file_header),
        cmocka_unit_test(test_flipped_payload_byte),
        cmocka_unit_test(test_not_a_trace),
        cmocka_unit_test(test_newer_version),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
