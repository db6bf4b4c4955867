/* Unit tests of hold time (runtime/hold_time.c, lock-held-too-long) and of
 * the priority comparison of priority-inversion (runtime/prio_inversion.c),
 * driven by hand like test_misuse.c: the runtime's entry points called as
 * the interposers call them, a fresh trace per test, read back with the
 * analyzer's reader. A long hold is made by moving the held entry's start
 * back, not by sleeping.
 *
 * What must hold: a hold over the threshold is reported at its release,
 * with where the lock was taken, the threshold and the hold; a shorter one
 * is not; each pair of lock and release sites once; a condition wait ends
 * a hold and the hold after it starts afresh; with the option off, nothing
 * is timed and releases stay on the hot path; errno kept. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "ccheck/trace_format.h"
#include "lock_hot_path.h"
#include "prio_inversion.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

enum { THRESHOLD_MS = 20, MS = 1000000 };

static cc_thread_t *main_thread;

/* Each records its caller's pc in *pc, as CC_CALLER() in an interposer
 * records the program's call site. */
__attribute__((noinline)) static void took(void *addr, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    *pc = at.pc;
    cc_on_acquired(addr, CC_LOCK_MUTEX, 0, at);
}

__attribute__((noinline)) static void unlocking(void *addr, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    *pc = at.pc;
    cc_on_unlocking(addr, at);
}

__attribute__((noinline)) static void cond_releasing(void *addr, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    *pc = at.pc;
    cc_on_releasing(addr, at);
}

/* Makes the calling thread's innermost hold of lock ms older. */
static void hold_longer(const void *lock, uint64_t ms)
{
    cc_lock_order_thread_t *lo = &main_thread->locks;
    for (uint32_t i = lo->n_held; i-- > 0;) {
        if (lo->held[i].addr == (uint64_t)(uintptr_t)lock) {
            assert_int_not_equal(lo->held[i].since, 0);
            lo->held[i].since -= ms * MS;
            return;
        }
    }
    fail_msg("the lock is not held");
}

static char *begin(int threshold_ms)
{
    cc_opt.hold_threshold_ms = threshold_ms;
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    char *path = open_new_trace(CC_ORIGIN_START);
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
    return path;
}

static uint64_t top_pc(const cc_trace_t *t, uint32_t stack)
{
    const cc_trace_stack_t *s = cc_trace_find_stack(t, stack);
    assert_non_null(s);
    return s->pcs[0];
}

static void expect_hold(const cc_trace_t *t, size_t i, const void *lock, uint64_t release_pc,
                        uint64_t acquire_pc, uint32_t at_least_ms)
{
    assert_true(i < t->n_misuses);
    const cc_trace_misuse_t *m = &t->misuses[i];
    assert_int_equal(m->kind, CC_MISUSE_HELD_TOO_LONG);
    assert_int_equal(m->addr, (uint64_t)(uintptr_t)lock);
    assert_int_equal(m->thread, main_thread->tid);
    assert_int_equal(m->other_thread, main_thread->tid);
    assert_int_equal(top_pc(t, m->stack), release_pc);
    assert_int_equal(top_pc(t, m->other_stack), acquire_pc);
    assert_int_equal(m->result, THRESHOLD_MS);
    assert_true(m->detail >= at_least_ms);
    assert_true(m->detail < at_least_ms + 1000); /* the hold, not the time since boot */
}

static void test_long_hold(void **state)
{
    (void)state;
    char *path = begin(THRESHOLD_MS);
    pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
    uint64_t lock_pc[3], unlock_pc[3];

    /* Held 50 ms: reported at the unlock, with the lock's site; the same
     * pair again is not reported again. */
    for (int i = 0; i < 3; i++) {
        took(&a, &lock_pc[0]);
        hold_longer(&a, 50);
        errno = 1234;
        unlocking(&a, &unlock_pc[0]);
        assert_int_equal(errno, 1234);
    }
    /* A short hold: nothing. */
    took(&b, &lock_pc[1]);
    unlocking(&b, &unlock_pc[1]);
    /* Released out of order (the slow path's search): `a` is long, `b`
     * taken after it is not. */
    took(&a, &lock_pc[2]);
    took(&b, &lock_pc[1]);
    hold_longer(&a, 30);
    unlocking(&a, &unlock_pc[2]);
    unlocking(&b, &unlock_pc[1]);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 2);
    expect_hold(&t, 0, &a, unlock_pc[0], lock_pc[0], 50);
    expect_hold(&t, 1, &a, unlock_pc[2], lock_pc[2], 30);
    cc_trace_free(&t);
    free(path);
}

static void test_condition_wait_ends_a_hold(void **state)
{
    (void)state;
    char *path = begin(THRESHOLD_MS);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    uint64_t lock_pc, release_pc, relock_pc, unlock_pc;

    /* Locked, then a wait: the hold up to the wait is judged there. */
    took(&m, &lock_pc);
    hold_longer(&m, 40);
    cond_releasing(&m, &release_pc);
    /* The wait returns with the mutex (an acquisition); however long it
     * waited, the hold starts now and is short. */
    took(&m, &relock_pc);
    unlocking(&m, &unlock_pc);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 1);
    expect_hold(&t, 0, &m, release_pc, lock_pc, 40);
    cc_trace_free(&t);
    free(path);
}

static void test_off_times_nothing(void **state)
{
    (void)state;
    char *path = begin(0);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    uint64_t lock_pc, unlock_pc;
    took(&m, &lock_pc);
    /* Off, the entry's time is not kept: whatever the field holds (here a
     * time long past), the release judges nothing and stays on the hot
     * path. */
    cc_lock_order_thread_t *lo = &main_thread->locks;
    lo->held[lo->n_held - 1].since = 1;
    unlocking(&m, &unlock_pc);
    assert_int_equal(lo->n_held, 0);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 0);
    cc_trace_free(&t);
    free(path);
}

static void test_priority_comparison(void **state)
{
    (void)state;
    uint32_t fifo10 = CC_SCHED_PACK(SCHED_FIFO, 10), fifo20 = CC_SCHED_PACK(SCHED_FIFO, 20);
    uint32_t rr10 = CC_SCHED_PACK(SCHED_RR, 10), other = CC_SCHED_PACK(SCHED_OTHER, 0);
    uint32_t batch = CC_SCHED_PACK(SCHED_BATCH, 0), idle = CC_SCHED_PACK(SCHED_IDLE, 0);
    uint32_t deadline = CC_SCHED_PACK(SCHED_DEADLINE, 0);
    /* A real-time waiter behind a lower holder. */
    assert_true(cc_sched_inverted(fifo20, fifo10));
    assert_true(cc_sched_inverted(fifo20, rr10));
    assert_true(cc_sched_inverted(fifo10, other));
    assert_true(cc_sched_inverted(rr10, batch));
    assert_true(cc_sched_inverted(fifo10, idle));
    /* Equal or higher holders, and waiters that are not real-time. */
    assert_false(cc_sched_inverted(fifo10, fifo10));
    assert_false(cc_sched_inverted(fifo10, rr10));
    assert_false(cc_sched_inverted(fifo10, fifo20));
    assert_false(cc_sched_inverted(fifo10, deadline));
    assert_false(cc_sched_inverted(other, idle));
    assert_false(cc_sched_inverted(deadline, other));
    /* The packing keeps policy and priority apart. */
    assert_int_equal(CC_SCHED_POLICY(rr10), SCHED_RR);
    assert_int_equal(CC_SCHED_PRIORITY(fifo20), 20);
}

static int setup(void **state)
{
    (void)state;
    main_thread = start_traced_runtime("hold-time");
    return main_thread ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cc_opt.hold_threshold_ms = 0;
    stop_traced_runtime();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_hold),
        cmocka_unit_test(test_condition_wait_ends_a_hold),
        cmocka_unit_test(test_off_times_nothing),
        cmocka_unit_test(test_priority_comparison),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
