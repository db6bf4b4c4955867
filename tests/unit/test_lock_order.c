/* Unit tests of the runtime's lock-order edge writer (runtime/lock_order.c),
 * driven through the entry points the interposers call (lock_hot_path.h)
 * and read back with the analyzer's reader: which LOCK_EDGE records a nest
 * of locks writes, with which stacks, flags and other held locks; that a
 * thread writes each edge once; and that a relock of a held (recursive)
 * lock orders nothing.
 *
 * No constructor runs in a unit test: each test plays one hand-made thread,
 * made current with the runtime switched on only while it takes and releases
 * locks, and writes into a trace of its own. Locks are static buffers whose
 * addresses the runtime sees as locks first used (no init call). */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "ccheck/trace_format.h"
#include "lock_hot_path.h"
#include "lock_order.h"
#include "lock_table.h"
#include "options.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace_reader.h"

/* ---- one thread, driven by hand ------------------------------------------------ */

/* An acquisition of the mutex at addr, as an interposer reports it: `at` is
 * taken here, so this function stands for the interposer and its caller's
 * pc is the top of every stack recorded for it (kept in *pc unless NULL). */
__attribute__((noinline)) static void take(void *addr, uint32_t flags, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    if (pc)
        *pc = at.pc;
    cc_on_acquired(addr, CC_LOCK_MUTEX, flags, at);
}

static uint64_t lock_id(const void *addr)
{
    const cc_lock_t *l = cc_lock_find((uint64_t)(uintptr_t)addr);
    assert_non_null(l);
    return l->id;
}

static int index_of(const uint64_t *ids, int n, uint64_t id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return i;
    return -1;
}

/* The LOCK_EDGE records written to the trace at path so far: the reader
 * loads a trace that has no end record yet. */
static size_t edges_in(const char *path)
{
    cc_trace_t t;
    load_trace_or_fail(path, &t);
    size_t n = t.n_edges;
    cc_trace_free(&t);
    return n;
}

/* ---- setup ------------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    if (!make_trace_dir("lock-order"))
        return -1;
    start_runtime_by_hand();
    cc_opt.lock_order = 1; /* the default, and what this test is about */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_trace_dir();
    return 0;
}

/* ---- the tests ---------------------------------------------------------------------- */

/* T9 takes locks 0, 1 (as a reader), 2 and then 3 (by trylock), so the
 * edge 2 -> 3 lists the two other held locks, 0 and 1; releases them out of
 * order; and takes 0 -> 1 again, a known edge. */
static void test_edges_of_a_nest(void **state)
{
    (void)state;
    static cc_thread_t thread = {.tid = 9};
    static char locks[4][64];
    uint64_t pc[4];
    char *path = open_new_trace(CC_ORIGIN_START);
    run_as(&thread);
    take(locks[0], 0, &pc[0]);
    take(locks[1], CC_ACQUIRE_READ, &pc[1]);
    take(locks[2], 0, &pc[2]);
    take(locks[3], CC_ACQUIRE_TRY, &pc[3]);
    assert_int_equal(thread.locks.n_held, 4);
    cc_on_releasing(locks[1], CC_CALLER()); /* out of order */
    cc_on_releasing(locks[3], CC_CALLER());
    cc_on_releasing(locks[2], CC_CALLER());
    cc_on_releasing(locks[0], CC_CALLER());
    assert_int_equal(thread.locks.n_held, 0);
    take(locks[0], 0, NULL);
    take(locks[1], CC_ACQUIRE_READ, NULL); /* known edge: no new record */
    cc_on_releasing(locks[1], CC_CALLER());
    cc_on_releasing(locks[0], CC_CALLER());
    stop_running_as(&thread);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    /* 0->1; 0->2, 1->2; 0->3, 1->3, 2->3. */
    assert_int_equal(t.n_edges, 6);
    assert_int_equal(t.n_locks, 4);
    uint64_t ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = lock_id(locks[i]);
        const cc_trace_lock_t *tl = cc_trace_find_lock(&t, ids[i]);
        assert_non_null(tl);
        assert_int_equal(tl->addr, (uint64_t)(uintptr_t)locks[i]);
        assert_int_equal(tl->kind, CC_LOCK_MUTEX);
        assert_int_equal(tl->origin, CC_LOCK_FROM_FIRST_USE);
        const cc_trace_stack_t *site = cc_trace_find_stack(&t, tl->site_stack);
        assert_non_null(site);
        assert_int_equal(site->depth, 1);
        assert_int_equal(site->pcs[0], pc[i]);
    }
    size_t seen = 0;
    for (size_t k = 0; k < t.n_edges; k++) {
        const cc_trace_edge_t *e = &t.edges[k];
        assert_int_equal(e->thread, 9);
        const cc_trace_stack_t *to = cc_trace_find_stack(&t, e->to_stack);
        const cc_trace_stack_t *from = cc_trace_find_stack(&t, e->from_stack);
        assert_non_null(to);
        assert_non_null(from);
        int fi = index_of(ids, 4, e->from), ti = index_of(ids, 4, e->to);
        assert_true(fi >= 0 && ti > fi);
        assert_int_equal(to->pcs[0], pc[ti]);
        assert_int_equal(from->pcs[0], pc[fi]);
        uint32_t flags = (fi == 1 ? CC_EDGE_FROM_READ : 0) | (ti == 1 ? CC_EDGE_TO_READ : 0) |
                         (ti == 3 ? CC_EDGE_TO_TRY : 0);
        assert_int_equal(e->flags, flags);
        /* The other locks held: those below `to` except `from`. */
        assert_int_equal(e->n_held, (uint32_t)ti - 1);
        for (uint32_t h = 0; h < e->n_held; h++) {
            int hi = index_of(ids, 4, e->held[h].id);
            assert_true(hi >= 0 && hi < ti && hi != fi);
            assert_int_equal(e->held[h].flags, hi == 1 ? CC_HELD_READ : 0);
        }
        if (fi == 2 && ti == 3) {
            assert_int_equal(e->n_held, 2);
            assert_int_equal(e->held[0].id, ids[0]);
            assert_int_equal(e->held[1].id, ids[1]);
        }
        seen |= 1u << (fi * 4 + ti);
    }
    assert_int_equal(seen, (1u << 1) | (1u << 2) | (1u << 6) | (1u << 3) | (1u << 7) |
                               (1u << 11));
    cc_trace_free(&t);
    free(path);
}

/* T10 takes A, then B, then C: C, taken while holding two others, writes
 * the two edges A -> C and B -> C. The same nest again writes nothing at
 * all: the thread remembers its edges, and the locks and stacks are in the
 * trace already. */
static void test_two_held_locks_write_two_edges_once(void **state)
{
    (void)state;
    static cc_thread_t thread = {.tid = 10};
    static char locks[3][64]; /* A, B, C */
    char *path = open_new_trace(CC_ORIGIN_START);
    run_as(&thread);
    take(locks[0], 0, NULL);
    take(locks[1], 0, NULL);
    assert_int_equal(edges_in(path), 1); /* A -> B */
    take(locks[2], 0, NULL);
    assert_int_equal(edges_in(path), 3); /* and A -> C, B -> C */
    for (int i = 2; i >= 0; i--)
        cc_on_releasing(locks[i], CC_CALLER());
    size_t written = trace_file_size(path);
    for (int repeat = 0; repeat < 2; repeat++) {
        for (int i = 0; i < 3; i++)
            take(locks[i], 0, NULL);
        assert_int_equal(thread.locks.n_held, 3);
        for (int i = 2; i >= 0; i--)
            cc_on_releasing(locks[i], CC_CALLER());
    }
    assert_int_equal(thread.locks.n_held, 0);
    stop_running_as(&thread);
    assert_int_equal(trace_file_size(path), written);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_edges, 3);
    uint64_t ids[3] = {lock_id(locks[0]), lock_id(locks[1]), lock_id(locks[2])};
    size_t seen = 0;
    for (size_t k = 0; k < t.n_edges; k++) {
        const cc_trace_edge_t *e = &t.edges[k];
        assert_int_equal(e->thread, 10);
        assert_int_equal(e->flags, 0);
        int fi = index_of(ids, 3, e->from), ti = index_of(ids, 3, e->to);
        assert_true(fi >= 0 && ti > fi);
        if (ti == 2) {
            /* Each edge into C lists the other lock held, and only it. */
            assert_int_equal(e->n_held, 1);
            assert_int_equal(e->held[0].id, ids[1 - fi]);
            assert_int_equal(e->held[0].flags, 0);
        } else {
            assert_int_equal(e->n_held, 0);
        }
        assert_int_equal(seen & (1u << (fi * 3 + ti)), 0); /* each edge once */
        seen |= 1u << (fi * 3 + ti);
    }
    assert_int_equal(seen, (1u << 1) | (1u << 2) | (1u << 5)); /* A->B, A->C, B->C */
    cc_trace_free(&t);
    free(path);
}

/* T11 relocks a recursive mutex R that it holds, first alone and then with
 * A held below it. A relock cannot block, so it orders nothing: no R -> R
 * edge, nor anything else. */
static void test_relock_of_held_lock_writes_no_edge(void **state)
{
    (void)state;
    static cc_thread_t thread = {.tid = 11};
    static char lock_a[64], recursive[64];
    char *path = open_new_trace(CC_ORIGIN_START);
    run_as(&thread);
    take(recursive, 0, NULL);
    size_t before = trace_file_size(path);
    take(recursive, 0, NULL);
    assert_int_equal(thread.locks.n_held, 2);
    assert_int_equal(trace_file_size(path), before);
    cc_on_releasing(recursive, CC_CALLER());
    cc_on_releasing(recursive, CC_CALLER());

    take(lock_a, 0, NULL);
    take(recursive, 0, NULL); /* A -> R, a new edge */
    before = trace_file_size(path);
    take(recursive, 0, NULL);
    assert_int_equal(thread.locks.n_held, 3);
    assert_int_equal(trace_file_size(path), before);
    cc_on_releasing(recursive, CC_CALLER());
    cc_on_releasing(recursive, CC_CALLER());
    cc_on_releasing(lock_a, CC_CALLER());
    assert_int_equal(thread.locks.n_held, 0);
    stop_running_as(&thread);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_edges, 1);
    assert_int_equal(t.edges[0].thread, 11);
    assert_int_equal(t.edges[0].from, lock_id(lock_a));
    assert_int_equal(t.edges[0].to, lock_id(recursive));
    assert_int_equal(t.edges[0].n_held, 0);
    cc_trace_free(&t);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_of_a_nest),
        cmocka_unit_test(test_two_held_locks_write_two_edges_once),
        cmocka_unit_test(test_relock_of_held_lock_writes_no_edge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
