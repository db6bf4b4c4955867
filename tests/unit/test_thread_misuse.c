/* Unit tests of double-join and join-detached (runtime/thread.c) and their
 * analysis (analyzer/misuse.c), driven by hand with made-up handles: the
 * registry only keys on the handle's value, so no real thread is needed,
 * and a handle can be given to a second thread on purpose.
 *
 * What must hold: a join of a handle that was joined, or of a thread
 * detached (at creation or later, running or ended), is reported before
 * the call with the thread joined and where it was joined first, detached
 * or created; a handle a new thread was given since is that thread's and
 * is not reported; a handle the runtime never saw is not reported. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "ccheck/trace_format.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

static cc_thread_t *main_thread;

static char *begin(void)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    char *path = open_new_trace(CC_ORIGIN_START);
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
    return path;
}

/* ---- the interposers' side, by hand: each returns its caller's pc ---------- */

static void *never_run(void *arg) { return arg; }

/* A thread registered under `handle` (a made-up value); returns its tid. */
__attribute__((noinline)) static uint32_t created(uintptr_t handle, bool detached, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    *pc = at.pc;
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_thread_t *child = cc_thread_prepare(never_run, NULL, detached);
    uint32_t tid = child->tid;
    cc_thread_created(child, (pthread_t)handle, (uint64_t)(uintptr_t)never_run,
                      detached ? CC_THREAD_DETACHED : 0, at);
    cc_leave(t);
    return tid;
}

__attribute__((noinline)) static uint64_t joining(uintptr_t handle)
{
    cc_caller_t at = CC_CALLER();
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_thread_joining((pthread_t)handle, at);
    cc_leave(t);
    return at.pc;
}

/* A successful join, as the interposer makes it: checked, then joined. */
__attribute__((noinline)) static uint64_t joined(uintptr_t handle)
{
    cc_caller_t at = CC_CALLER();
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_thread_joining((pthread_t)handle, at);
    cc_thread_joined((pthread_t)handle, at);
    cc_leave(t);
    return at.pc;
}

__attribute__((noinline)) static uint64_t detached(uintptr_t handle)
{
    cc_caller_t at = CC_CALLER();
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_thread_detached((pthread_t)handle, at);
    cc_leave(t);
    return at.pc;
}

/* ---- checks ----------------------------------------------------------------- */

static void expect_misuse(const cc_trace_t *t, size_t i, cc_misuse_kind_t kind, uintptr_t handle,
                          uint64_t pc, uint32_t target, uint64_t other_pc)
{
    assert_true(i < t->n_misuses);
    const cc_trace_misuse_t *m = &t->misuses[i];
    assert_int_equal(m->kind, kind);
    assert_int_equal(m->addr, handle);
    assert_int_equal(m->thread, main_thread->tid);
    const cc_trace_stack_t *s = cc_trace_find_stack(t, m->stack);
    assert_non_null(s);
    assert_int_equal(s->pcs[0], pc);
    assert_int_equal(m->other_thread, target);
    s = cc_trace_find_stack(t, m->other_stack);
    assert_non_null(s);
    assert_int_equal(s->pcs[0], other_pc);
}

/* ---- the tests ---------------------------------------------------------------- */

static void test_double_join(void **state)
{
    (void)state;
    char *path = begin();
    uint64_t create_pc, first_pc, again_pc, reused_pc, second_pc, third_pc;
    uintptr_t handle = 0x7a0000;
    uint32_t first = created(handle, false, &create_pc);
    first_pc = joined(handle);
    again_pc = joining(handle); /* double-join */

    /* A new thread given the same handle is that thread's: joining it is
     * right, and then a second join of it names it. */
    uint32_t second = created(handle, false, &reused_pc);
    second_pc = joined(handle);
    third_pc = joining(handle); /* double-join, of the second thread */

    /* A handle the runtime never saw says nothing. */
    joining(0x7b0000);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 2);
    expect_misuse(&t, 0, CC_MISUSE_DOUBLE_JOIN, handle, again_pc, first, first_pc);
    expect_misuse(&t, 1, CC_MISUSE_DOUBLE_JOIN, handle, third_pc, second, second_pc);
    (void)reused_pc;
    (void)create_pc;
    cc_trace_free(&t);
    free(path);
}

static void test_join_detached(void **state)
{
    (void)state;
    char *path = begin();
    uint64_t create_pc, other_create_pc, detach_pc, pc[2];
    uintptr_t born = 0x7c0000, later = 0x7d0000;
    uint32_t born_tid = created(born, true, &create_pc);
    pc[0] = joining(born); /* created detached, still running */
    uint32_t later_tid = created(later, false, &other_create_pc);
    detach_pc = detached(later);
    pc[1] = joining(later); /* detached later */
    (void)other_create_pc;

    cc_trace_t tr;
    load_trace_or_fail(path, &tr);
    assert_int_equal(tr.n_misuses, 2);
    expect_misuse(&tr, 0, CC_MISUSE_JOIN_DETACHED, born, pc[0], born_tid, create_pc);
    expect_misuse(&tr, 1, CC_MISUSE_JOIN_DETACHED, later, pc[1], later_tid, detach_pc);
    cc_trace_free(&tr);
    free(path);
}

/* The analysis names the thread joined and the related stack's thread. */
static void test_analysis(void **state)
{
    (void)state;
    char *path = begin();
    uint64_t pc;
    created(0x7e0000, false, &pc);
    joined(0x7e0000);
    joining(0x7e0000);
    created(0x7f0000, true, &pc);
    joining(0x7f0000);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    cc_report_t report = {.tool_version = "test"};
    cc_analysis_t a;
    cc_analysis_init(&a, &t, 1, &report);
    a.quiet = true;
    cc_analyze_misuse(&a);
    assert_int_equal(report.n_findings, 2);
    const char *kinds[] = {"double-join", "join-detached"};
    const char *related[] = {"join", "create"};
    const char *words[] = {"joined already", "created detached"};
    for (size_t i = 0; i < 2; i++) {
        const cc_finding_t *f = &report.findings[i];
        assert_string_equal(f->category, CC_CATEGORY_MISUSE);
        assert_string_equal(f->kind, kinds[i]);
        assert_non_null(strstr(f->message, "never_run"));
        assert_non_null(strstr(f->message, words[i]));
        assert_int_equal(f->n_stacks, 2);
        assert_string_equal(f->stacks[0].role, "misuse");
        assert_string_equal(f->stacks[1].role, related[i]);
        /* Joined first, or created, by the main thread. */
        assert_int_equal(f->stacks[1].thread, main_thread->tid);
        assert_int_equal(f->n_threads, 2);
    }
    cc_report_free(&report);
    cc_analysis_free(&a);
    cc_trace_free(&t);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    main_thread = start_traced_runtime("thread-misuse");
    return main_thread ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_join),
        cmocka_unit_test(test_join_detached),
        cmocka_unit_test(test_analysis),
    };
    return cmocka_run_group_tests(tests, setup, traced_runtime_teardown);
}
