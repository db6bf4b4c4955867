/* Unit tests of the data-race core: the shadow map (runtime/race/shadow.c),
 * the access check (access.h, access.c), the event history (history.c) and
 * the race records (report.c), driven by hand as the __tsan_* entry points
 * drive them, with real threads that run one after the other. The runtime
 * sees no synchronisation between them but what a test makes with
 * cc_race_release / cc_race_acquire, so their accesses are concurrent for
 * the detector. One fresh trace per test, read back record by record.
 *
 * What must hold: a reset clears the shadow of its range and nothing else;
 * accesses to disjoint bytes of a word never race, overlapping ones do;
 * reads never race with reads; accesses ordered by happens-before never
 * race; a race record restores the earlier access's pc, call stack and
 * held locks while the ring still has them, says "not restored" once it
 * does not, and never believes a replay the owner overwrote meanwhile; the
 * memory is described as a global, a heap block or a thread's stack. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ccheck/trace_format.h"
#include "lock_table.h"
#include "options.h"
#include "race/access.h"
#include "race/history.h"
#include "race/race.h"
#include "race/shadow.h"
#include "support/race_jobs.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"

#define ADDR(p) ((uint64_t)(uintptr_t)(p))

/* ---- the entry points' side, by hand ------------------------------------------ */

/* The entry points' view of the current thread (race.h). */
static __thread cc_race_view_t view;

/* The entry points' way to the shadow, and off the steady state. */
static cc_race_shadow_ref_t shadow;

static void off_steady(cc_race_view_t *v, uint64_t addr, uint64_t size, bool write, uint64_t pc)
{
    cc_race_off_steady(v, &shadow, addr, size, write, pc);
}

/* An access as an instrumented access makes it; returns its pc (the return
 * address into the caller, distinct per call site). */
__attribute__((noinline)) static uint64_t access_at(const void *p, uint64_t size, bool write)
{
    uint64_t pc = (uint64_t)(uintptr_t)__builtin_return_address(0);
    if (shadow.dir != cc_shadow_dir)
        cc_race_shadow_ref_set(&shadow, cc_shadow_dir);
    cc_race_check(&view, &shadow, off_steady, ADDR(p), size, write, pc);
    return pc;
}

/* __tsan_func_entry / __tsan_func_exit. */
static void func_entry(uint64_t call_pc)
{
    cc_history_func_entry_inline(cc_current_thread, call_pc);
}
static void func_exit(void) { cc_history_func_exit_inline(cc_current_thread); }

/* ---- traces --------------------------------------------------------------------- */

static cc_thread_t *main_thread;

static char *begin(void)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    char *path = open_new_trace(CC_ORIGIN_START);
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
    return path;
}

typedef struct race {
    cc_rec_race_t rec;
    uint64_t held[16];
} race_t;

enum { MAX_RECORDS = 4096 };

/* The race records of the trace at path. */
static size_t read_races(const char *path, race_t *out, size_t max)
{
    size_t len, end;
    uint8_t *buf = read_whole_file(path, &len);
    rec_pos_t *pos = calloc(MAX_RECORDS, sizeof *pos);
    size_t n = walk_records(buf, len, pos, MAX_RECORDS, &end), found = 0;
    for (size_t i = 0; i < n; i++) {
        if (pos[i].type != CC_REC_RACE)
            continue;
        assert_true(pos[i].size >= sizeof(cc_rec_race_t));
        assert_true(found < max);
        memset(&out[found], 0, sizeof out[found]);
        size_t size = pos[i].size < sizeof out[found] ? pos[i].size : sizeof out[found];
        memcpy(&out[found], buf + pos[i].offset, size);
        found++;
    }
    free(pos);
    free(buf);
    return found;
}

/* The frames of stack `id` in the trace at path; false if it has none. */
static bool read_stack(const char *path, uint32_t id, uint64_t *pcs, uint32_t *depth)
{
    size_t len, end;
    uint8_t *buf = read_whole_file(path, &len);
    rec_pos_t *pos = calloc(MAX_RECORDS, sizeof *pos);
    size_t n = walk_records(buf, len, pos, MAX_RECORDS, &end);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        cc_rec_stack_t s;
        if (pos[i].type != CC_REC_STACK)
            continue;
        memcpy(&s, buf + pos[i].offset, sizeof s);
        if (s.id != id)
            continue;
        *depth = s.depth;
        memcpy(pcs, buf + pos[i].offset + sizeof s, s.depth * sizeof *pcs);
        found = true;
    }
    free(pos);
    free(buf);
    return found;
}

static void expect_access(const cc_race_access_t *a, uint32_t thread, uint64_t pc, const void *addr,
                          uint32_t size, uint32_t flags)
{
    assert_int_equal(a->thread, thread);
    assert_int_equal(a->pc, pc);
    assert_int_equal(a->addr, ADDR(addr));
    assert_int_equal(a->size, size);
    assert_int_equal(a->flags, flags);
}

/* ---- the shadow map ---------------------------------------------------------------- */

static uint64_t big[1u << 20]; /* 8 MiB of a global: two or three shadow chunks */

static void test_shadow_reset(void **state)
{
    (void)state;
    cc_shadow_init();
    uint64_t lo = ADDR(&big[0]), hi = ADDR(&big[CC_ARRAY_SIZE(big)]);
    /* A chunk nobody touched has no shadow; mapping is lazy. */
    assert_null(cc_shadow_cell_if_mapped(UINT64_C(0x100000000000)));
    cc_race_shadow_reset(UINT64_C(0x100000000000), 1u << 24); /* nothing mapped: no-op */
    assert_null(cc_shadow_cell_if_mapped(UINT64_C(0x100000000000)));
    assert_null(cc_shadow_cell_if_mapped(UINT64_C(1) << 47)); /* no shadow up there */

    const uint64_t words[] = {lo,      lo + 8, lo + 4096 * 8 + 8, (lo + hi) / 2 & ~7ull,
                              hi - 16, hi - 8};
    for (size_t i = 0; i < CC_ARRAY_SIZE(words); i++) {
        cc_shadow_cell_t *c = cc_shadow_cell(words[i]);
        assert_ptr_equal(c, cc_shadow_cell_if_mapped(words[i]));
        c->write = 0x1234 + i;
        c->read = 0x5678 + i;
    }
    /* Neighbours just outside the ranges below. */
    cc_shadow_cell(lo - 8)->write = 1;
    cc_shadow_cell(hi)->write = 2;

    /* A small reset (memset) of the second word only. */
    cc_race_shadow_reset(lo + 8, 8);
    assert_int_equal(cc_shadow_cell(lo + 8)->write, 0);
    assert_int_equal(cc_shadow_cell(lo + 8)->read, 0);
    assert_int_equal(cc_shadow_cell(lo)->write, 0x1234);

    /* A big one (whole pages given back) across chunks. */
    cc_race_shadow_reset(lo, hi - lo);
    for (size_t i = 0; i < CC_ARRAY_SIZE(words); i++) {
        assert_int_equal(cc_shadow_cell(words[i])->write, 0);
        assert_int_equal(cc_shadow_cell(words[i])->read, 0);
    }
    assert_int_equal(cc_shadow_cell(lo - 8)->write, 1);
    assert_int_equal(cc_shadow_cell(hi)->write, 2);
    cc_shadow_cell(lo - 8)->write = 0;
    cc_shadow_cell(hi)->write = 0;
}

/* ---- byte precision, reads, happens-before ---------------------------------------- */

/* Each test its own variables: the shadow outlives a test. */
static uint64_t bp_a, bp_b, rd_x, rw_x, hb_x, ow_x, ho_x, dd_x, fr_x;

static void write_low_half(job_t *j) { j->pc[0] = access_at(j->arg, 4, true); }
static void write_high_half(job_t *j) { j->pc[0] = access_at((char *)j->arg + 4, 4, true); }
static void read_high_half(job_t *j) { j->pc[0] = access_at((char *)j->arg + 4, 4, false); }
static void write_byte_3(job_t *j) { j->pc[0] = access_at((char *)j->arg + 3, 1, true); }
static void read_word(job_t *j) { j->pc[0] = access_at(j->arg, 8, false); }
static void write_word(job_t *j) { j->pc[0] = access_at(j->arg, 8, true); }
/* An unaligned 8-byte write across two words (bytes 4..11 from arg). */
static void write_across(job_t *j) { j->pc[0] = access_at((char *)j->arg + 4, 8, true); }

static void test_byte_precision(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b, c, d, e, f;
    /* Disjoint halves of one word: no race. */
    run(&a, write_low_half, &bp_a);
    run(&b, write_high_half, &bp_a);
    /* A reader of the high half keeps the low half's writer in the cell;
     * a write of byte 3 then overlaps that writer's bytes: a race. */
    run(&c, write_low_half, &bp_b);
    run(&d, read_high_half, &bp_b);
    run(&e, write_byte_3, &bp_b);
    /* An access across two words races on the word it overlaps. */
    uint64_t pair[2] __attribute__((aligned(16))) = {0, 0};
    run(&f, write_word, &pair[1]);
    job_t g;
    run(&g, write_across, &pair[0]);

    race_t r[8];
    size_t n = read_races(path, r, 8);
    assert_int_equal(n, 2);
    expect_access(&r[0].rec.current, e.tid, e.pc[0], (char *)&bp_b + 3, 1, CC_ACCESS_WRITE);
    expect_access(&r[0].rec.previous, c.tid, c.pc[0], &bp_b, 4, CC_ACCESS_WRITE);
    expect_access(&r[1].rec.current, g.tid, g.pc[0], (char *)&pair[0] + 4, 8, CC_ACCESS_WRITE);
    expect_access(&r[1].rec.previous, f.tid, f.pc[0], &pair[1], 8, CC_ACCESS_WRITE);
    free(path);
}

static void test_reads_do_not_race(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b, c;
    run(&a, read_word, &rd_x);
    run(&b, read_word, &rd_x);
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 0);
    /* A write races with the read kept (the newer one). */
    run(&c, write_word, &rd_x);
    assert_int_equal(read_races(path, r, 4), 1);
    expect_access(&r[0].rec.current, c.tid, c.pc[0], &rd_x, 8, CC_ACCESS_WRITE);
    expect_access(&r[0].rec.previous, b.tid, b.pc[0], &rd_x, 8, 0);
    free(path);
}

static void read_then_write(job_t *j)
{
    j->pc[0] = access_at(j->arg, 8, false);
    j->pc[1] = access_at(j->arg, 8, true);
}

/* A write after the thread's own read is still checked against the cell's
 * write (its read covering the bytes makes only a later read redundant). */
static void test_write_after_own_read(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b;
    run(&a, write_word, &rw_x);
    run(&b, read_then_write, &rw_x);
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 2);
    expect_access(&r[0].rec.current, b.tid, b.pc[0], &rw_x, 8, 0);
    expect_access(&r[1].rec.current, b.tid, b.pc[1], &rw_x, 8, CC_ACCESS_WRITE);
    expect_access(&r[1].rec.previous, a.tid, a.pc[0], &rw_x, 8, CC_ACCESS_WRITE);
    free(path);
}

static int sync_object;

static void write_then_release(job_t *j)
{
    j->pc[0] = access_at(j->arg, 8, true);
    cc_thread_t *t = cc_enter();
    cc_race_release(t, ADDR(&sync_object), CC_SYNC_MAIN);
    cc_leave(t);
}

static void acquire_then_write(job_t *j)
{
    cc_thread_t *t = cc_enter();
    cc_race_acquire(t, ADDR(&sync_object), CC_SYNC_MAIN);
    cc_leave(t);
    j->pc[0] = access_at(j->arg, 8, true);
    j->pc[1] = access_at(j->arg, 8, false);
}

static void test_happens_before(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b, c;
    run(&a, write_then_release, &hb_x);
    run(&b, acquire_then_write, &hb_x); /* ordered after a's write: no race */
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 0);
    run(&c, write_word, &hb_x); /* ordered after neither */
    assert_int_equal(read_races(path, r, 4), 1);
    expect_access(&r[0].rec.previous, b.tid, b.pc[0], &hb_x, 8, CC_ACCESS_WRITE);
    free(path);
}

static uint64_t restamp_x, restamp_y[2] __attribute__((aligned(16)));

/* Touches its word (and restamp_y, 16 bytes) before and after a release:
 * the accesses after it are first touches since the release, which
 * cc_race_restamp settles. */
static void touch_release_touch(job_t *j)
{
    access_at(j->arg, 8, true);
    access_at(restamp_y, 16, true);
    cc_thread_t *t = cc_enter();
    cc_race_release(t, ADDR(&sync_object), CC_SYNC_MAIN);
    cc_leave(t);
    j->pc[0] = access_at(j->arg, 8, true);
    j->pc[1] = access_at(j->arg, 8, false);
    j->pc[2] = access_at(restamp_y, 16, true);
}

static void write_16(job_t *j) { j->pc[0] = access_at(j->arg, 16, true); }

/* An access settled by cc_race_restamp is stored with its own event: a
 * later access that races with it names it (not the one before the
 * release), and one ordered after the release but not after it still
 * races with it. */
static void test_restamp_after_release(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b, c, d;
    run(&a, touch_release_touch, &restamp_x);
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 0);
    run(&b, acquire_then_write, &restamp_x);
    assert_int_equal(read_races(path, r, 4), 1);
    expect_access(&r[0].rec.current, b.tid, b.pc[0], &restamp_x, 8, CC_ACCESS_WRITE);
    expect_access(&r[0].rec.previous, a.tid, a.pc[0], &restamp_x, 8, CC_ACCESS_WRITE);
    run(&c, write_16, restamp_y);
    assert_int_equal(read_races(path, r, 4), 2);
    /* (The earlier access is told by the word it races on.) */
    expect_access(&r[1].rec.previous, a.tid, a.pc[2], restamp_y, 8, CC_ACCESS_WRITE);
    /* b's write and read were stored too: a write ordered after neither
     * races with them and names one. */
    run(&d, write_word, &restamp_x);
    assert_int_equal(read_races(path, r, 4), 3);
    assert_true(r[2].rec.previous.pc == b.pc[0] || r[2].rec.previous.pc == b.pc[1]);
    free(path);
}

/* ---- history ----------------------------------------------------------------------- */

static uint64_t shared_x;
static pthread_mutex_t lock_l1, lock_l2;

enum { CALL_OUTER = 0x1000, CALL_MIDDLE = 0x2000, CALL_INNER = 0x3000 };

/* Calls three levels deep with L1 held (L2 taken and dropped on the
 * way), writes shared_x, and returns and unlocks. */
static void write_deep_under_lock(job_t *j)
{
    cc_thread_t *t = cc_current_thread;
    func_entry(CALL_OUTER);
    cc_race_lock_event(t, ADDR(&lock_l1), true);
    func_entry(CALL_MIDDLE);
    cc_race_lock_event(t, ADDR(&lock_l2), true);
    cc_race_lock_event(t, ADDR(&lock_l2), false);
    func_entry(CALL_INNER);
    j->pc[0] = access_at(j->arg, 8, true);
    func_exit();
    func_exit();
    cc_race_lock_event(t, ADDR(&lock_l1), false);
    func_exit();
}

/* Many events: (by default) enough to push an earlier one out of a ring of
 * 1024 events. */
static void many_events(job_t *j)
{
    j->pc[1] = access_at(j->arg, 8, true);
    for (int i = 0; i < 3000; i++) {
        func_entry(CALL_OUTER + (uint64_t)i);
        func_exit();
    }
}

static void test_history_restores_stack_and_locks(void **state)
{
    (void)state;
    char *path = begin();
    cc_lock_t *l1 = cc_lock_get(ADDR(&lock_l1), CC_LOCK_MUTEX, 1);
    assert_non_null(l1);
    job_t a, b;
    run(&a, write_deep_under_lock, &shared_x);
    run(&b, read_word, &shared_x);

    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 1);
    const cc_rec_race_t *rec = &r[0].rec;
    expect_access(&rec->current, b.tid, b.pc[0], &shared_x, 8, 0);
    expect_access(&rec->previous, a.tid, a.pc[0], &shared_x, 8, CC_ACCESS_WRITE);
    assert_int_equal(rec->current.n_held, 0);
    /* L1 was held, L2 no longer. */
    assert_int_equal(rec->previous.n_held, 1);
    assert_int_equal(r[0].held[0], l1->id);
    /* The access's pc, then the call sites innermost first. */
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    uint32_t depth = 0;
    assert_true(read_stack(path, rec->previous.stack, pcs, &depth));
    assert_int_equal(depth, 4);
    assert_int_equal(pcs[0], a.pc[0]);
    assert_int_equal(pcs[1], CALL_INNER);
    assert_int_equal(pcs[2], CALL_MIDDLE);
    assert_int_equal(pcs[3], CALL_OUTER);
    /* The current access's stack: its pc (no calls recorded). */
    assert_true(read_stack(path, rec->current.stack, pcs, &depth));
    assert_int_equal(depth, 1);
    assert_int_equal(pcs[0], b.pc[0]);
    /* A global of this program. */
    assert_int_equal(rec->memory, CC_MEMORY_GLOBAL);
    assert_true(rec->mem_base <= ADDR(&shared_x) &&
                ADDR(&shared_x) < rec->mem_base + rec->mem_size);
    free(path);
}

static void test_overwritten_history_not_restored(void **state)
{
    (void)state;
    char *path = begin();
    int saved = cc_opt.race_history;
    cc_opt.race_history = 1024; /* the rings of slots made from now on */
    job_t a, b;
    run(&a, many_events, &ow_x);
    run(&b, write_word, &ow_x);
    cc_opt.race_history = saved;

    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 1);
    const cc_rec_race_t *rec = &r[0].rec;
    expect_access(&rec->current, b.tid, b.pc[0], &ow_x, 8, CC_ACCESS_WRITE);
    /* Who and where is known from the shadow; the stack is gone. */
    assert_int_equal(rec->previous.thread, a.tid);
    assert_int_equal(rec->previous.stack, CC_TRACE_NO_STACK);
    assert_int_equal(rec->previous.pc, 0);
    assert_int_equal(rec->previous.n_held, 0);
    assert_int_equal(rec->previous.addr, ADDR(&ow_x));
    free(path);
}

/* After a full lap of the ring, epochs that advance without an event (a
 * release moves the epoch on) leave last lap's events in their slots:
 * replay must skip them. */
static void write_after_holes(job_t *j)
{
    cc_thread_t *t = cc_current_thread;
    for (int i = 0; i < 600; i++) { /* more than a lap of 1024 events */
        func_entry(CALL_MIDDLE + (uint64_t)i);
        func_exit();
    }
    func_entry(CALL_OUTER);
    for (int i = 0; i < 8; i++) {
        cc_thread_t *g = cc_enter();
        cc_race_release(g, ADDR(&sync_object) + 8, CC_SYNC_MAIN);
        cc_leave(g);
    }
    j->pc[0] = access_at(j->arg, 8, true);
    func_exit();
    (void)t;
}

static void test_history_skips_stale_events(void **state)
{
    (void)state;
    char *path = begin();
    int saved = cc_opt.race_history;
    cc_opt.race_history = 1024;
    job_t a, b;
    run(&a, write_after_holes, &ho_x);
    run(&b, read_word, &ho_x);
    cc_opt.race_history = saved;
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 1);
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    uint32_t depth = 0;
    assert_true(read_stack(path, r[0].rec.previous.stack, pcs, &depth));
    assert_int_equal(depth, 2);
    assert_int_equal(pcs[0], a.pc[0]);
    assert_int_equal(pcs[1], CALL_OUTER);
    free(path);
}

/* A writer that fills a small ring as fast as it can, in a pattern the
 * reader can check: at each write event E, the stack is [write pc,
 * entry pc] with both pcs a function of E. */
enum { PATTERN_WRITE = 0x300000, PATTERN_ENTRY = 0x200000, STRESS_EVENTS = 3000000 };

typedef struct stress {
    cc_race_history_t *ring;
    uint64_t epoch; /* published by the writer after each write event */
    int running;
} stress_t;

static void stress_writer(job_t *j)
{
    stress_t *s = j->arg;
    cc_thread_t *t = cc_current_thread;
    __atomic_store_n(&s->ring, cc_race_slot_history(t->race.slot), __ATOMIC_RELEASE);
    while (t->race.epoch < STRESS_EVENTS) {
        func_entry(PATTERN_ENTRY + t->race.epoch + 1);
        uint64_t e = cc_history_record(t, CC_EV_WRITE, PATTERN_WRITE + t->race.epoch + 1);
        func_exit();
        __atomic_store_n(&s->epoch, e, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&s->running, 0, __ATOMIC_RELEASE);
}

static void *stress_thread(void *arg)
{
    job_t *j = arg;
    job_main(j);
    return NULL;
}

static void test_torn_replay_is_not_believed(void **state)
{
    (void)state;
    int saved = cc_opt.race_history;
    cc_opt.race_history = 1024;
    stress_t s = {NULL, 0, 1};
    job_t j;
    memset(&j, 0, sizeof j);
    j.fn = stress_writer;
    j.arg = &s;
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, stress_thread, &j), 0);
    while (!__atomic_load_n(&s.ring, __ATOMIC_ACQUIRE))
        ;
    const cc_race_history_t *h = s.ring;
    uint64_t restored = 0, refused = 0, wrong = 0, lagged = 0;
    cc_race_restored_t out;
    for (uint64_t i = 0; __atomic_load_n(&s.running, __ATOMIC_ACQUIRE); i++) {
        uint64_t now = __atomic_load_n(&s.epoch, __ATOMIC_ACQUIRE);
        /* Write events near the ring's far end, where the owner is about
         * to write over them, and some well inside it. */
        uint64_t back = (i & 1) ? 1024 - 48 + (i % 64) : 200 + (i % 400);
        if (now < back + 8)
            continue;
        uint64_t e = now - back;
        while ((now - e) % 3 != 0) /* write events are every third epoch */
            e--;
        uint64_t pc;
        cc_race_event_kind_t kind;
        bool peeked = cc_history_peek(h, e, &pc, &kind);
        if (cc_history_restore(h, e, &out)) {
            restored++;
            if (out.kind != CC_EV_WRITE || out.n_frames != 2 ||
                out.frames[0] != PATTERN_WRITE + e || out.frames[1] != PATTERN_ENTRY + e - 1)
                wrong++;
        } else {
            refused++;
            if (__atomic_load_n(&s.epoch, __ATOMIC_ACQUIRE) - e < 1024 - 1024 / 4 - 8)
                lagged++; /* refused though the owner was still far away */
        }
        if (peeked && (kind != CC_EV_WRITE || pc != PATTERN_WRITE + e))
            wrong++;
    }
    assert_int_equal(pthread_join(writer, NULL), 0);
    cc_opt.race_history = saved;
    assert_true(j.active);
    assert_int_equal(wrong, 0);
    assert_true(restored > 0);
    assert_true(refused > 0);
    assert_int_equal(lagged, 0); /* refused only near the edge */
}

/* ---- what the memory is --------------------------------------------------------------- */

typedef struct on_stack {
    uint64_t *addr; /* the local variable, while the owner waits */
    int step; /* 1: published; 2: the owner may return */
} on_stack_t;

static void write_local_and_wait(job_t *j)
{
    on_stack_t *s = j->arg;
    uint64_t local = 0;
    j->pc[0] = access_at(&local, 8, true);
    __atomic_store_n(&s->addr, &local, __ATOMIC_RELEASE);
    __atomic_store_n(&s->step, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&s->step, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
}

static void *stack_owner(void *arg) { return job_main(arg); }

static void test_memory_description(void **state)
{
    (void)state;
    char *path = begin();
    /* A heap block the runtime knows. */
    uint64_t *block = calloc(4, sizeof *block);
    cc_race_heap_allocated(ADDR(block), 4 * sizeof *block, 0, main_thread->tid);
    job_t a, b;
    run(&a, write_word, &block[2]);
    run(&b, write_word, &block[2]);
    /* Another thread's stack, while that thread lives. */
    on_stack_t s = {NULL, 0};
    job_t owner;
    memset(&owner, 0, sizeof owner);
    owner.fn = write_local_and_wait;
    owner.arg = &s;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, stack_owner, &owner), 0);
    while (__atomic_load_n(&s.step, __ATOMIC_ACQUIRE) != 1)
        sched_yield();
    job_t c;
    run(&c, write_word, s.addr);
    __atomic_store_n(&s.step, 2, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(thread, NULL), 0);

    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 2);
    assert_int_equal(r[0].rec.memory, CC_MEMORY_HEAP);
    assert_int_equal(r[0].rec.mem_base, ADDR(block));
    assert_int_equal(r[0].rec.mem_size, 4 * sizeof *block);
    assert_int_equal(r[0].rec.mem_thread, main_thread->tid);
    assert_int_equal(r[1].rec.memory, CC_MEMORY_STACK);
    assert_int_equal(r[1].rec.mem_thread, owner.tid);
    assert_int_equal(r[1].rec.previous.thread, owner.tid);
    cc_race_heap_freed(ADDR(block));
    free(block);
    free(path);
}

/* The same pair of code locations racing again and again writes one
 * record; a new pair writes another. */
static void test_dedup(void **state)
{
    (void)state;
    char *path = begin();
    job_t j[6];
    for (int i = 0; i < 5; i++)
        run(&j[i], write_word, &dd_x);
    run(&j[5], write_byte_3, &dd_x);
    race_t r[8];
    assert_int_equal(read_races(path, r, 8), 2);
    expect_access(&r[0].rec.current, j[1].tid, j[0].pc[0], &dd_x, 8, CC_ACCESS_WRITE);
    expect_access(&r[0].rec.previous, j[0].tid, j[0].pc[0], &dd_x, 8, CC_ACCESS_WRITE);
    expect_access(&r[1].rec.current, j[5].tid, j[5].pc[0], (char *)&dd_x + 3, 1, CC_ACCESS_WRITE);
    expect_access(&r[1].rec.previous, j[4].tid, j[4].pc[0], &dd_x, 8, CC_ACCESS_WRITE);
    free(path);
}

/* free() is a write of the whole block, named as a free in the report. */
static void free_block(job_t *j)
{
    cc_thread_t *t = cc_enter();
    j->pc[0] = 0x4321;
    cc_race_freed(t, ADDR(j->arg), 8, j->pc[0]);
    cc_leave(t);
}

static void test_free_is_a_write(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b;
    run(&a, free_block, &fr_x);
    run(&b, read_word, &fr_x);
    race_t r[4];
    assert_int_equal(read_races(path, r, 4), 1);
    expect_access(&r[0].rec.current, b.tid, b.pc[0], &fr_x, 8, 0);
    expect_access(&r[0].rec.previous, a.tid, 0x4321, &fr_x, 8, CC_ACCESS_WRITE | CC_ACCESS_FREE);
    free(path);
}

/* ---- synchronisation objects' own memory (hb.c's hooks) ---------------------------- */

enum { PC_INIT = 0x5100, PC_LOCK = 0x5200, PC_UNLOCK = 0x5300, PC_SIGNAL = 0x5400,
       PC_DESTROY = 0x5500 };

static long lock_init_raced, lock_destroyed_ordered, signalled_destroyed;

static void init_lock_unlock(job_t *j)
{
    cc_race_hook_access(j->arg, true, PC_INIT);
    cc_race_hook_acquire(j->arg, CC_RACE_HOOK_READ, PC_LOCK);
    cc_race_hook_release(j->arg, CC_RACE_HOOK_READ, PC_UNLOCK);
}

static void lock_unlock(job_t *j)
{
    cc_race_hook_acquire(j->arg, CC_RACE_HOOK_READ, PC_LOCK + 1);
    cc_race_hook_release(j->arg, CC_RACE_HOOK_READ, PC_UNLOCK + 1);
}

static void lock_unlock_destroy(job_t *j)
{
    lock_unlock(j);
    cc_race_hook_access(j->arg, true, PC_DESTROY);
}

static void signal_object(job_t *j)
{
    cc_race_hook_release(j->arg, CC_RACE_HOOK_READ_AFTER, PC_SIGNAL);
}

static void wake_and_destroy(job_t *j)
{
    cc_race_hook_acquire(j->arg, 0, PC_LOCK + 2);
    cc_race_hook_access(j->arg, true, PC_DESTROY + 1);
}

/* A use reads the object before an acquire (the object's own edge does not
 * order its init with the use) and before a release (the next owner, which
 * may destroy it, is after the use); a signal reads it after its release
 * (the waiter it wakes is not after the signal's use). Uses never race
 * with each other. (b and c here run after a without anything the
 * detector sees but the hooks' edges.) */
static void test_sync_object_memory(void **state)
{
    (void)state;
    char *path = begin();
    job_t a, b, c;
    race_t r[4];

    run(&a, init_lock_unlock, &lock_init_raced);
    run(&b, lock_unlock, &lock_init_raced); /* after a's unlock, not after its init */
    assert_int_equal(read_races(path, r, 4), 1);
    expect_access(&r[0].rec.current, b.tid, PC_LOCK + 1, &lock_init_raced, 1, 0);
    expect_access(&r[0].rec.previous, a.tid, PC_INIT, &lock_init_raced, 1, CC_ACCESS_WRITE);

    run(&a, lock_unlock, &lock_destroyed_ordered);
    run(&b, lock_unlock, &lock_destroyed_ordered); /* uses never race */
    run(&c, lock_unlock_destroy, &lock_destroyed_ordered); /* after every use */
    assert_int_equal(read_races(path, r, 4), 1);

    run(&a, signal_object, &signalled_destroyed);
    run(&b, wake_and_destroy, &signalled_destroyed);
    assert_int_equal(read_races(path, r, 4), 2);
    expect_access(&r[1].rec.current, b.tid, PC_DESTROY + 1, &signalled_destroyed, 1,
                  CC_ACCESS_WRITE);
    expect_access(&r[1].rec.previous, a.tid, PC_SIGNAL, &signalled_destroyed, 1, 0);

    long *objects[] = {&lock_init_raced, &lock_destroyed_ordered, &signalled_destroyed};
    for (size_t i = 0; i < sizeof objects / sizeof *objects; i++)
        cc_race_sync_forget_range(ADDR(objects[i]), ADDR(objects[i]) + 1);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    main_thread = start_race_runtime("shadow");
    return main_thread ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shadow_reset),
        cmocka_unit_test(test_byte_precision),
        cmocka_unit_test(test_reads_do_not_race),
        cmocka_unit_test(test_write_after_own_read),
        cmocka_unit_test(test_happens_before),
        cmocka_unit_test(test_restamp_after_release),
        cmocka_unit_test(test_history_restores_stack_and_locks),
        cmocka_unit_test(test_overwritten_history_not_restored),
        cmocka_unit_test(test_history_skips_stale_events),
        cmocka_unit_test(test_torn_replay_is_not_believed),
        cmocka_unit_test(test_memory_description),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_free_is_a_write),
        cmocka_unit_test(test_sync_object_memory),
    };
    return cmocka_run_group_tests(tests, setup, traced_runtime_teardown);
}
