/* Unit tests of the lock-misuse checks (runtime/misuse.c) and their
 * analysis (analyzer/misuse.c), driven by hand: real glibc locks (the
 * checks read their memory), the runtime's entry points called as the
 * interposers call them, one fresh trace per test, read back with the
 * analyzer's reader.
 *
 * What must hold: each misuse is classified by kind with the right related
 * thread and stack; nothing is reported for a lock the runtime never saw
 * (but a use of one whose memory no initialisation leaves), for a hold the
 * runtime missed but the lock's memory shows, for a static initializer
 * assigned after destroy, or for a thread whose lock was released behind
 * its back; one record per distinct misuse; errno kept. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "ccheck/trace_format.h"
#include "lock_hot_path.h"
#include "lock_table.h"
#include "misuse.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

/* ---- the interposers' side, by hand ---------------------------------------- */

/* Each records its caller's pc in *pc (may be NULL), as CC_CALLER() in an
 * interposer records the program's call site. */
__attribute__((noinline)) static void took(void *addr, cc_lock_kind_t kind, uint32_t flags,
                                           uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    if (pc)
        *pc = at.pc;
    cc_on_acquired(addr, kind, flags, at);
}

__attribute__((noinline)) static void unlocking(void *addr, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    if (pc)
        *pc = at.pc;
    cc_on_unlocking(addr, at);
}

__attribute__((noinline)) static void destroying(void *addr, uint64_t *pc)
{
    cc_caller_t at = CC_CALLER();
    if (pc)
        *pc = at.pc;
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_misuse_destroying(t, (uint64_t)(uintptr_t)addr, at);
    cc_lock_destroyed((uint64_t)(uintptr_t)addr);
    cc_leave(t);
}

__attribute__((noinline)) static void initialized(void *addr, cc_lock_kind_t kind)
{
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    cc_lock_initialized((uint64_t)(uintptr_t)addr, kind, CC_CALLER().pc);
    cc_leave(t);
}

/* ---- another thread that holds a lock --------------------------------------- */

typedef struct holder {
    pthread_mutex_t *lock;
    bool exit_holding; /* end without unlocking */
    int step;          /* 1: holds it; 2: may go on */
    uint32_t tid;
    uint64_t pc; /* where it took the lock */
} holder_t;

static void *hold(void *arg)
{
    holder_t *h = arg;
    cc_thread_t *t = cc_enter(); /* registers the thread */
    assert_non_null(t);
    h->tid = t->tid;
    cc_leave(t);
    assert_int_equal(pthread_mutex_lock(h->lock), 0);
    took(h->lock, CC_LOCK_MUTEX, 0, &h->pc);
    __atomic_store_n(&h->step, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&h->step, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
    if (!h->exit_holding) {
        unlocking(h->lock, NULL);
        pthread_mutex_unlock(h->lock);
    }
    cc_thread_exit(CC_EXIT_RETURN);
    return NULL;
}

static void start_holder(holder_t *h, pthread_t *thread)
{
    assert_int_equal(pthread_create(thread, NULL, hold, h), 0);
    while (__atomic_load_n(&h->step, __ATOMIC_ACQUIRE) != 1)
        sched_yield();
}

static void finish_holder(holder_t *h, pthread_t thread)
{
    __atomic_store_n(&h->step, 2, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(thread, NULL), 0);
}

/* ---- traces ------------------------------------------------------------------ */

static cc_thread_t *main_thread;

/* A fresh trace per test: the once-per-trace tables start afresh. */
static char *begin(void)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    char *path = open_new_trace(CC_ORIGIN_START);
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
    return path;
}

static const cc_trace_stack_t *stack_of(const cc_trace_t *t, uint32_t id)
{
    const cc_trace_stack_t *s = cc_trace_find_stack(t, id);
    assert_non_null(s);
    return s;
}

static void expect_misuse(const cc_trace_t *t, size_t i, cc_misuse_kind_t kind, const void *addr,
                          uint64_t pc, uint32_t other_thread, uint64_t other_pc)
{
    assert_true(i < t->n_misuses);
    const cc_trace_misuse_t *m = &t->misuses[i];
    assert_int_equal(m->kind, kind);
    assert_int_equal(m->addr, (uint64_t)(uintptr_t)addr);
    assert_int_equal(m->thread, main_thread->tid);
    if (pc)
        assert_int_equal(stack_of(t, m->stack)->pcs[0], pc);
    assert_int_equal(m->other_thread, other_thread);
    if (other_pc)
        assert_int_equal(stack_of(t, m->other_stack)->pcs[0], other_pc);
    else
        assert_int_equal(m->other_stack, CC_TRACE_NO_STACK);
}

/* ---- the tests ---------------------------------------------------------------- */

static void test_unlock_of_unheld_mutex(void **state)
{
    (void)state;
    char *path = begin();
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, never_seen = PTHREAD_MUTEX_INITIALIZER;
    uint64_t pc[3];

    /* Another thread holds it: unlock-not-owned, naming the holder. */
    holder_t h = {.lock = &m};
    pthread_t thread;
    start_holder(&h, &thread);
    errno = 1234;
    unlocking(&m, &pc[0]);
    assert_int_equal(errno, 1234);
    finish_holder(&h, thread);

    /* Nobody holds it: double-unlock, once per site however often. */
    for (int i = 0; i < 3; i++)
        unlocking(&m, &pc[1]);

    /* This thread holds it but the runtime missed the lock (a cancelled
     * condition wait relocks behind its back): the owner field says so. */
    assert_int_equal(pthread_mutex_lock(&m), 0);
    unlocking(&m, &pc[2]);
    assert_int_equal(pthread_mutex_unlock(&m), 0);

    /* Never seen acquired or initialised: nothing to go by. */
    unlocking(&never_seen, NULL);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 2);
    expect_misuse(&t, 0, CC_MISUSE_UNLOCK_NOT_OWNED, &m, pc[0], h.tid, h.pc);
    expect_misuse(&t, 1, CC_MISUSE_DOUBLE_UNLOCK, &m, pc[1], CC_TRACE_NO_THREAD, 0);
    /* The lock is named by a record of its own. */
    const cc_trace_lock_t *lock = cc_trace_find_lock(&t, t.misuses[0].lock);
    assert_non_null(lock);
    assert_int_equal(lock->addr, (uint64_t)(uintptr_t)&m);
    assert_int_equal(lock->kind, CC_LOCK_MUTEX);
    cc_trace_free(&t);
    free(path);
}

static void test_use_after_destroy(void **state)
{
    (void)state;
    char *path = begin();
    pthread_mutex_t m, gone;
    pthread_rwlock_t rw;
    uint64_t destroy_pc[3], use_pc[3];

    assert_int_equal(pthread_mutex_init(&m, NULL), 0);
    initialized(&m, CC_LOCK_MUTEX);
    destroying(&m, &destroy_pc[0]);
    assert_int_equal(pthread_mutex_destroy(&m), 0);
    unlocking(&m, &use_pc[0]); /* use-after-destroy */

    /* A static initializer assigned after the destroy: a lock again, and
     * the unlock of it a double unlock, not a use after destroy. */
    m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    unlocking(&m, &use_pc[1]);

    /* rwlocks keep no destroyed mark: the table's is enough for an unlock. */
    assert_int_equal(pthread_rwlock_init(&rw, NULL), 0);
    initialized(&rw, CC_LOCK_RWLOCK);
    destroying(&rw, &destroy_pc[1]);
    assert_int_equal(pthread_rwlock_destroy(&rw), 0);
    unlocking(&rw, &use_pc[2]);

    /* A lock call that glibc failed with EINVAL: only a destroyed mutex
     * counts. */
    assert_int_equal(pthread_mutex_init(&gone, NULL), 0);
    initialized(&gone, CC_LOCK_MUTEX);
    cc_misuse_mutex_lock_failed(&gone, EINVAL, CC_CALLER());
    destroying(&gone, &destroy_pc[2]);
    assert_int_equal(pthread_mutex_destroy(&gone), 0);
    cc_caller_t at = CC_CALLER();
    cc_misuse_mutex_lock_failed(&gone, EINVAL, at);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 4);
    expect_misuse(&t, 0, CC_MISUSE_USE_AFTER_DESTROY, &m, use_pc[0], main_thread->tid,
                  destroy_pc[0]);
    expect_misuse(&t, 1, CC_MISUSE_DOUBLE_UNLOCK, &m, use_pc[1], CC_TRACE_NO_THREAD, 0);
    expect_misuse(&t, 2, CC_MISUSE_USE_AFTER_DESTROY, &rw, use_pc[2], main_thread->tid,
                  destroy_pc[1]);
    expect_misuse(&t, 3, CC_MISUSE_USE_AFTER_DESTROY, &gone, at.pc, main_thread->tid,
                  destroy_pc[2]);
    assert_int_equal(t.misuses[3].result, EINVAL);
    /* The destroyed instance is named by its record. */
    const cc_trace_lock_t *lock = cc_trace_find_lock(&t, t.misuses[0].lock);
    assert_non_null(lock);
    assert_int_equal(lock->addr, (uint64_t)(uintptr_t)&m);
    cc_trace_free(&t);
    free(path);
}

static void test_held_lock_misuse(void **state)
{
    (void)state;
    char *path = begin();
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, ec;
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER, other = PTHREAD_RWLOCK_INITIALIZER;
    uint64_t lock_pc[3], destroy_pc, unlock_pc;

    /* Destroy of a mutex this thread holds. */
    assert_int_equal(pthread_mutex_lock(&m), 0);
    took(&m, CC_LOCK_MUTEX, 0, &lock_pc[0]);
    destroying(&m, &destroy_pc);
    unlocking(&m, NULL);
    assert_int_equal(pthread_mutex_unlock(&m), 0);

    /* Write lock of an rwlock held for reading; of another one, nothing. */
    assert_int_equal(pthread_rwlock_rdlock(&rw), 0);
    took(&rw, CC_LOCK_RWLOCK, CC_ACQUIRE_READ, &lock_pc[1]);
    cc_caller_t wr_at = CC_CALLER();
    cc_misuse_check_wrlock(&rw, wr_at);
    cc_misuse_check_wrlock(&other, CC_CALLER());
    unlocking(&rw, NULL);
    assert_int_equal(pthread_rwlock_unlock(&rw), 0);

    /* An error-checking mutex: EDEADLK on relock, EPERM on a foreign
     * unlock, which the unlock check leaves to the real call's result. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    assert_int_equal(pthread_mutex_init(&ec, &attr), 0);
    initialized(&ec, CC_LOCK_MUTEX);
    assert_int_equal(pthread_mutex_lock(&ec), 0);
    took(&ec, CC_LOCK_MUTEX, 0, &lock_pc[2]);
    cc_caller_t relock_at = CC_CALLER();
    cc_misuse_mutex_lock_failed(&ec, pthread_mutex_lock(&ec), relock_at);
    unlocking(&ec, NULL);
    assert_int_equal(pthread_mutex_unlock(&ec), 0);
    unlocking(&ec, &unlock_pc); /* not held: left to the EPERM below */
    cc_caller_t eperm_at = CC_CALLER();
    cc_misuse_mutex_unlock_failed(&ec, pthread_mutex_unlock(&ec), eperm_at);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 4);
    uint32_t me = main_thread->tid;
    expect_misuse(&t, 0, CC_MISUSE_DESTROY_LOCKED, &m, destroy_pc, me, lock_pc[0]);
    expect_misuse(&t, 1, CC_MISUSE_RECURSIVE_WRLOCK, &rw, wr_at.pc, me, lock_pc[1]);
    expect_misuse(&t, 2, CC_MISUSE_ERRORCHECK, &ec, relock_at.pc, me, lock_pc[2]);
    assert_int_equal(t.misuses[2].result, EDEADLK);
    expect_misuse(&t, 3, CC_MISUSE_ERRORCHECK, &ec, eperm_at.pc, CC_TRACE_NO_THREAD, 0);
    assert_int_equal(t.misuses[3].result, EPERM);
    cc_trace_free(&t);
    free(path);
}

static void test_exit_holding_lock(void **state)
{
    (void)state;
    char *path = begin();
    pthread_mutex_t kept = PTHREAD_MUTEX_INITIALIZER, taken_away = PTHREAD_MUTEX_INITIALIZER;

    holder_t h1 = {.lock = &kept, .exit_holding = true};
    pthread_t thread;
    start_holder(&h1, &thread);
    finish_holder(&h1, thread);

    /* Released behind the holder's back (by this thread, which is misuse
     * of its own): the holder no longer holds it when it ends. */
    holder_t h2 = {.lock = &taken_away, .exit_holding = true};
    start_holder(&h2, &thread);
    assert_int_equal(pthread_mutex_unlock(&taken_away), 0);
    finish_holder(&h2, thread);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 1);
    const cc_trace_misuse_t *m = &t.misuses[0];
    assert_int_equal(m->kind, CC_MISUSE_EXIT_HOLDING_LOCK);
    assert_int_equal(m->thread, h1.tid);
    assert_int_equal(m->other_thread, h1.tid);
    assert_int_equal(m->addr, (uint64_t)(uintptr_t)&kept);
    assert_int_equal(m->stack, CC_TRACE_NO_STACK); /* it returned: no exit call */
    assert_int_equal(stack_of(&t, m->other_stack)->pcs[0], h1.pc);
    cc_trace_free(&t);
    free(path);
}

/* A mutex of 0xA5 garbage except what glibc's lock of a default mutex
 * looks at (lock word, owner, the type's low bits): glibc takes it, and its
 * type field still has bits no mutex type has. */
static void make_lockable_garbage(pthread_mutex_t *m)
{
    memset(m, 0xA5, sizeof *m);
    m->__data.__lock = 0;
    m->__data.__owner = 0;
    m->__data.__kind &= ~0xffff;
}

static void init_mutex_with(pthread_mutex_t *m, int type, int protocol, bool robust_shared)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, type);
    pthread_mutexattr_setprotocol(&attr, protocol);
    if (robust_shared) {
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    }
    assert_int_equal(pthread_mutex_init(m, &attr), 0);
    pthread_mutexattr_destroy(&attr);
}

/* A lock the runtime first sees in use, whose memory no initialisation
 * leaves: reported once per instance, with the full stack of the lock
 * call. Everything an init call or a static initializer can leave, or a
 * lock call can add, is not. */
static void test_use_uninitialized(void **state)
{
    (void)state;
    char *path = begin();
    uint64_t pc[2];

    /* Taken by glibc as a default mutex; a second lock is no new report. */
    pthread_mutex_t garbage;
    make_lockable_garbage(&garbage);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_mutex_trylock(&garbage), 0);
        errno = 1234;
        took(&garbage, CC_LOCK_MUTEX, 0, &pc[0]);
        assert_int_equal(errno, 1234);
        unlocking(&garbage, NULL);
        assert_int_equal(pthread_mutex_unlock(&garbage), 0);
    }

    /* An rwlock of garbage, which glibc write-locks: its reserved fields. */
    pthread_rwlock_t rw;
    memset(&rw, 0xA5, sizeof rw);
    assert_int_equal(pthread_rwlock_trywrlock(&rw), 0);
    took(&rw, CC_LOCK_RWLOCK, CC_ACQUIRE_TRY, &pc[1]);
    unlocking(&rw, NULL);
    assert_int_equal(pthread_rwlock_unlock(&rw), 0);

    /* Garbage glibc refused (EINVAL: no type it knows), never seen. */
    pthread_mutex_t refused;
    memset(&refused, 0xA5, sizeof refused);
    cc_caller_t refused_at = CC_CALLER();
    cc_misuse_mutex_lock_failed(&refused, pthread_mutex_lock(&refused), refused_at);

    /* A destroyed mutex whose memory became garbage glibc locks: checked
     * at its first use since the destroy. */
    pthread_mutex_t reused;
    uint64_t reused_pc;
    assert_int_equal(pthread_mutex_init(&reused, NULL), 0);
    initialized(&reused, CC_LOCK_MUTEX);
    destroying(&reused, NULL);
    assert_int_equal(pthread_mutex_destroy(&reused), 0);
    make_lockable_garbage(&reused);
    assert_int_equal(pthread_mutex_trylock(&reused), 0);
    took(&reused, CC_LOCK_MUTEX, 0, &reused_pc);
    unlocking(&reused, NULL);
    assert_int_equal(pthread_mutex_unlock(&reused), 0);

    /* Initialised, though the runtime saw no init call. */
    pthread_mutex_t fine[10] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
                                PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP,
                                PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP};
    memset(&fine[4], 0, sizeof fine[4]); /* zeroed memory */
    init_mutex_with(&fine[5], PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE, false); /* no elision */
    init_mutex_with(&fine[6], PTHREAD_MUTEX_RECURSIVE, PTHREAD_PRIO_INHERIT, false);
    init_mutex_with(&fine[7], PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_PROTECT, false);
    init_mutex_with(&fine[8], PTHREAD_MUTEX_DEFAULT, PTHREAD_PRIO_NONE, true);
    fine[9] = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    fine[9].__data.__kind = 256; /* elision, which a lock may switch on */
    for (size_t i = 0; i < 10; i++) {
        took(&fine[i], i % 2 ? CC_LOCK_C11_MTX : CC_LOCK_MUTEX, 0, NULL);
        unlocking(&fine[i], NULL);
    }
    pthread_rwlock_t fine_rw[3] = {PTHREAD_RWLOCK_INITIALIZER,
                                   PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP};
    pthread_rwlockattr_t rw_attr;
    pthread_rwlockattr_init(&rw_attr);
    pthread_rwlockattr_setpshared(&rw_attr, PTHREAD_PROCESS_SHARED);
    pthread_rwlockattr_setkind_np(&rw_attr, PTHREAD_RWLOCK_PREFER_WRITER_NP);
    assert_int_equal(pthread_rwlock_init(&fine_rw[2], &rw_attr), 0);
    pthread_rwlockattr_destroy(&rw_attr);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pthread_rwlock_rdlock(&fine_rw[i]), 0);
        took(&fine_rw[i], CC_LOCK_RWLOCK, CC_ACQUIRE_READ, NULL);
        unlocking(&fine_rw[i], NULL);
        assert_int_equal(pthread_rwlock_unlock(&fine_rw[i]), 0);
    }
    /* A spinlock's memory says nothing; a valid mutex glibc refuses (a
     * priority ceiling, say) and a destroyed one (use-after-destroy's) are
     * not garbage. */
    int spin = (int)0xA5A5A5A5;
    took(&spin, CC_LOCK_SPIN, 0, NULL);
    unlocking(&spin, NULL);
    pthread_mutex_t valid = PTHREAD_MUTEX_INITIALIZER, destroyed;
    cc_misuse_mutex_lock_failed(&valid, EINVAL, CC_CALLER());
    assert_int_equal(pthread_mutex_init(&destroyed, NULL), 0);
    assert_int_equal(pthread_mutex_destroy(&destroyed), 0);
    cc_misuse_mutex_lock_failed(&destroyed, pthread_mutex_lock(&destroyed), CC_CALLER());
    /* The table filled outside any lock call: the address is not read. */
    cc_lock_get(0x10000, CC_LOCK_MUTEX, 0x401000);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    assert_int_equal(t.n_misuses, 4);
    expect_misuse(&t, 0, CC_MISUSE_UNINITIALIZED, &garbage, pc[0], CC_TRACE_NO_THREAD, 0);
    assert_int_equal(t.misuses[0].result, 0);
    /* The lock call's whole stack, not only its frame. */
    assert_true(stack_of(&t, t.misuses[0].stack)->depth > 1);
    const cc_trace_lock_t *lock = cc_trace_find_lock(&t, t.misuses[0].lock);
    assert_non_null(lock);
    assert_int_equal(lock->origin, CC_LOCK_FROM_FIRST_USE);
    expect_misuse(&t, 1, CC_MISUSE_UNINITIALIZED, &rw, pc[1], CC_TRACE_NO_THREAD, 0);
    expect_misuse(&t, 2, CC_MISUSE_UNINITIALIZED, &refused, refused_at.pc, CC_TRACE_NO_THREAD,
                  0);
    assert_int_equal(t.misuses[2].result, EINVAL);
    assert_int_equal(t.misuses[2].lock, 0);
    expect_misuse(&t, 3, CC_MISUSE_UNINITIALIZED, &reused, reused_pc, CC_TRACE_NO_THREAD, 0);

    cc_report_t report = {.tool_version = "test"};
    cc_analysis_t a;
    cc_analysis_init(&a, &t, 1, &report);
    a.quiet = true;
    cc_analyze_misuse(&a);
    assert_int_equal(report.n_findings, 4);
    const char *what[] = {"mutex", "rwlock", "mutex", "mutex"};
    for (size_t i = 0; i < 4; i++) {
        const cc_finding_t *f = &report.findings[i];
        assert_string_equal(f->kind, "use-uninitialized");
        assert_string_equal(f->category, CC_CATEGORY_MISUSE);
        assert_non_null(strstr(f->message, what[i]));
        assert_non_null(strstr(f->message, "never initialised"));
        assert_int_equal(f->n_stacks, 1);
        assert_string_equal(f->stacks[0].role, "misuse");
    }
    assert_non_null(strstr(report.findings[2].message, "EINVAL"));
    cc_report_free(&report);
    cc_analysis_free(&a);
    cc_trace_free(&t);
    free(path);
}

/* The analysis words what the runtime found: one finding per kind here,
 * with the related stack under its role. */
static pthread_mutex_t analysed_lock = PTHREAD_MUTEX_INITIALIZER;

static void test_analysis(void **state)
{
    (void)state;
    char *path = begin();
    pthread_mutex_t *m = &analysed_lock;
    pthread_mutex_t gone;

    assert_int_equal(pthread_mutex_lock(m), 0);
    took(m, CC_LOCK_MUTEX, 0, NULL);
    destroying(m, NULL); /* the real destroy would fail: EBUSY */
    unlocking(m, NULL);
    assert_int_equal(pthread_mutex_unlock(m), 0);
    for (int i = 0; i < 2; i++)
        unlocking(m, NULL); /* double unlock, twice from one site */
    assert_int_equal(pthread_mutex_init(&gone, NULL), 0);
    initialized(&gone, CC_LOCK_MUTEX);
    destroying(&gone, NULL);
    assert_int_equal(pthread_mutex_destroy(&gone), 0);
    unlocking(&gone, NULL);

    cc_trace_t t;
    load_trace_or_fail(path, &t);
    cc_report_t report = {.tool_version = "test"};
    cc_analysis_t a;
    cc_analysis_init(&a, &t, 1, &report);
    a.quiet = true;
    cc_analyze_misuse(&a);
    assert_int_equal(report.n_findings, 3);
    const char *kinds[] = {"destroy-locked", "double-unlock", "use-after-destroy"};
    const char *related[] = {"held", NULL, "destroy"};
    for (size_t i = 0; i < 3; i++) {
        const cc_finding_t *f = &report.findings[i];
        assert_string_equal(f->category, CC_CATEGORY_MISUSE);
        assert_string_equal(f->kind, kinds[i]);
        assert_int_equal(f->severity, CC_SEVERITY_ERROR);
        assert_non_null(strstr(f->message, "mutex"));
        assert_true(f->n_stacks >= 1);
        assert_string_equal(f->stacks[0].role, "misuse");
        if (related[i]) {
            assert_int_equal(f->n_stacks, 2);
            assert_string_equal(f->stacks[1].role, related[i]);
        } else {
            assert_int_equal(f->n_stacks, 1);
        }
    }
    /* A static lock is named by its symbol. */
    assert_non_null(strstr(report.findings[0].message, "'analysed_lock'"));
    cc_report_free(&report);
    cc_analysis_free(&a);
    cc_trace_free(&t);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    main_thread = start_traced_runtime("misuse");
    return main_thread ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlock_of_unheld_mutex),
        cmocka_unit_test(test_use_after_destroy),
        cmocka_unit_test(test_held_lock_misuse),
        cmocka_unit_test(test_exit_holding_lock),
        cmocka_unit_test(test_use_uninitialized),
        cmocka_unit_test(test_analysis),
    };
    return cmocka_run_group_tests(tests, setup, traced_runtime_teardown);
}
