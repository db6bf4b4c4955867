/* Unit tests of file descriptors in race detection (runtime/race/fd.c),
 * driven by hand as interpose/fd.c drives them, on descriptor numbers
 * alone (the hooks never look at the real descriptors), with threads that
 * run one after the other (support/race_jobs.h).
 *
 * What must hold: a write-like call on one end of a pipe orders what came
 * before it with what comes after a read-like call on the other end, and a
 * dup shares the clock, and so does the epoll instance a descriptor was
 * added to; nothing else orders anything. A close races with a use not
 * ordered before it, and is reported as the close of that descriptor,
 * made where it was made; after the close, the number starts clean. Clocks
 * come back when the last descriptor sharing them is closed, so making and
 * closing pipes forever takes no more memory. Numbers out of range are
 * passed over. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>

#include "ccheck/trace_format.h"
#include "options.h"
#include "race/race.h"
#include "race/sync.h"
#include "support/race_jobs.h"
#include "support/trace_files.h"
#include "thread.h"
#include "trace.h"
#include "trace_reader.h"

#define ADDR(p) ((uint64_t)(uintptr_t)(p))

/* ---- what the interposers do, by hand ----------------------------------------- */

/* A job's hook calls, inside the guard as the interposers make them. */
#define HOOK(stmt)                                                                     \
    do {                                                                               \
        cc_thread_t *t_ = cc_enter();                                                  \
        if (t_) {                                                                      \
            stmt;                                                                      \
            cc_leave(t_);                                                              \
        }                                                                              \
    } while (0)

/* What a job does, in steps: fd numbers and the word it writes. */
typedef struct plan {
    int release_fd; /* -1: none */
    int acquire_fd; /* before the write; -1: none */
    int use_fd;
    int close_fd;
    uint64_t *word;
} plan_t;

enum { PC_WORD = 0x1000, PC_USE = 0x2000, PC_CLOSE = 0x3000, PC_RELEASE = 0x4000 };

/* The descriptors a test makes on the main thread come before every job,
 * as if the jobs had been created after (support/race_jobs.h: nothing
 * else orders a job after anything). */
static uint64_t made_before_jobs;

/* Acquires, writes the word, uses, releases, closes: each step if the plan
 * has it. Pcs are per step, and per job through the tid, so that no two
 * races share a pair of code locations. */
static void follow(job_t *j)
{
    const plan_t *p = j->arg;
    uint64_t tag = (uint64_t)j->tid << 4;
    HOOK({
        cc_race_acquire(t_, ADDR(&made_before_jobs), CC_SYNC_MAIN);
        if (p->acquire_fd >= 0)
            cc_race_fd_acquire(t_, p->acquire_fd);
        if (p->word)
            cc_race_access(t_, ADDR(p->word), 8, true, PC_WORD + tag);
        if (p->use_fd >= 0)
            cc_race_fd_use(t_, p->use_fd, PC_USE + tag);
        if (p->release_fd >= 0)
            cc_race_fd_release(t_, p->release_fd, PC_RELEASE + tag);
        if (p->close_fd >= 0)
            cc_race_fd_closing(t_, p->close_fd, PC_CLOSE + tag);
    });
}

static const plan_t nothing = {-1, -1, -1, -1, NULL};

static void run_plan(job_t *j, plan_t plan)
{
    run(j, follow, &plan);
}

/* ---- traces ---------------------------------------------------------------------- */

static cc_thread_t *main_thread;

static char *begin(void)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    char *path = open_new_trace(CC_ORIGIN_START);
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
    return path;
}

/* Loads the trace at path so far with the analyzer's reader, which also
 * checks every race record's fields. */
static void load(char *path, cc_trace_t *t)
{
    load_trace_or_fail(path, t);
    free(path);
}

/* The trace at path (freed) has no race record. */
static void expect_no_races(char *path)
{
    cc_trace_t t;
    load(path, &t);
    assert_int_equal(t.n_races, 0);
    cc_trace_free(&t);
}

static void on_main(void (*fn)(cc_thread_t *t, void *arg), void *arg)
{
    cc_thread_t *t = cc_enter();
    assert_non_null(t);
    fn(t, arg);
    cc_race_release(t, ADDR(&made_before_jobs), CC_SYNC_MAIN);
    cc_leave(t);
}

static void make_pair(cc_thread_t *t, void *fds) { cc_race_fd_made_pair(t, fds, 0x77); }

/* ---- the tests ------------------------------------------------------------------------ */

static uint64_t handed;

static void test_pipe_orders_its_ends(void **state)
{
    (void)state;
    char *path = begin();
    int ends[2] = {10, 11};
    on_main(make_pair, ends);
    job_t a, b, c;
    plan_t p = nothing;
    p.word = &handed;
    p.release_fd = 11; /* write(11) after writing the word */
    run_plan(&a, p);
    p = nothing;
    p.acquire_fd = 10; /* read(10), then the word */
    p.word = &handed;
    run_plan(&b, p);
    p = nothing;
    p.word = &handed; /* ordered after neither */
    run_plan(&c, p);
    cc_trace_t t;
    load(path, &t);
    assert_int_equal(t.n_races, 1);
    assert_int_equal(t.races[0].rec.current.thread, c.tid);
    assert_int_equal(t.races[0].rec.previous.thread, b.tid);
    cc_trace_free(&t);
}

static void close_pair(cc_thread_t *t, void *fds)
{
    cc_race_fd_closing(t, ((int *)fds)[0], 0x83);
    cc_race_fd_closing(t, ((int *)fds)[1], 0x83);
}

static uint64_t before_close;

/* A closed pipe's clock is gone: a new pipe (at the same numbers, and with
 * the closed one's fd_sync_t off the free list) orders nothing the old one
 * did. (main's close races with a's use: main does not come after a.) */
static void test_closed_pipe_forgets_its_clock(void **state)
{
    (void)state;
    char *path = begin();
    int ends[2] = {12, 13};
    on_main(make_pair, ends);
    job_t a, b;
    plan_t p = nothing;
    p.word = &before_close;
    p.release_fd = 13;
    run_plan(&a, p);
    on_main(close_pair, ends);
    on_main(make_pair, ends);
    p = nothing;
    p.acquire_fd = 12;
    p.word = &before_close;
    run_plan(&b, p);
    cc_trace_t t;
    load(path, &t);
    assert_int_equal(t.n_races, 2);
    assert_int_equal(t.races[0].rec.memory, CC_MEMORY_FD);
    assert_int_equal(t.races[0].rec.current.thread, main_thread->tid);
    assert_int_equal(t.races[1].rec.current.addr, ADDR(&before_close));
    assert_int_equal(t.races[1].rec.current.thread, b.tid);
    assert_int_equal(t.races[1].rec.previous.thread, a.tid);
    cc_trace_free(&t);
    on_main(close_pair, ends);
}

static uint64_t via_dup, via_epoll;

static void make_dup_and_epoll(cc_thread_t *t, void *arg)
{
    (void)arg;
    cc_race_fd_made(t, 20, CC_FD_SYNC_OWN, 0x78); /* an eventfd */
    cc_race_fd_dup(t, 20, 21, false, 0x79);       /* dup(20) == 21 */
    cc_race_fd_made(t, 22, CC_FD_SYNC_OWN, 0x7a); /* epoll_create */
    cc_race_fd_poll_added(t, 22, 20);             /* epoll_ctl(22, ADD, 20) */
    cc_race_fd_made(t, 23, CC_FD_SYNC_OWN, 0x7b); /* another eventfd */
}

static void test_dup_and_epoll_share_clocks(void **state)
{
    (void)state;
    char *path = begin();
    on_main(make_dup_and_epoll, NULL);
    job_t a, b, c, d, f;
    plan_t p = nothing;
    p.word = &via_dup;
    p.release_fd = 21;
    run_plan(&a, p);
    p = nothing;
    p.acquire_fd = 20; /* the dup's clock is the original's */
    p.word = &via_dup;
    run_plan(&b, p);
    p = nothing;
    p.word = &via_epoll;
    p.release_fd = 21; /* a write to the dup of a descriptor in the epoll */
    run_plan(&c, p);
    p = nothing;
    p.acquire_fd = 22; /* epoll_wait */
    p.word = &via_epoll;
    run_plan(&d, p);
    p = nothing;
    p.acquire_fd = 23; /* a clock nobody released on: orders nothing */
    p.word = &via_epoll;
    run_plan(&f, p);
    cc_trace_t t;
    load(path, &t);
    assert_int_equal(t.n_races, 1);
    assert_int_equal(t.races[0].rec.current.thread, f.tid);
    assert_int_equal(t.races[0].rec.previous.thread, d.tid);
    cc_trace_free(&t);
}

static void make_file(cc_thread_t *t, void *arg)
{
    (void)arg;
    cc_race_fd_made(t, 30, CC_FD_SYNC_FILES, 0x7c);
}

static void test_close_races_with_use(void **state)
{
    (void)state;
    char *path = begin();
    on_main(make_file, NULL);
    job_t a, b, c, d;
    plan_t p = nothing;
    p.use_fd = 30;
    run_plan(&a, p);
    p = nothing;
    p.close_fd = 30; /* not ordered after a's use */
    run_plan(&b, p);
    p = nothing;
    p.use_fd = 30; /* after the close: the number is clean */
    run_plan(&c, p);
    p = nothing;
    p.close_fd = 30; /* again: c's use is the only one, and c is ordered after nothing */
    run_plan(&d, p);
    cc_trace_t t;
    load(path, &t);
    assert_int_equal(t.n_races, 2);
    const cc_rec_race_t *r = &t.races[0].rec;
    assert_int_equal(r->memory, CC_MEMORY_FD);
    assert_int_equal(r->mem_base, 30);
    assert_int_equal(r->mem_thread, main_thread->tid);
    assert_int_not_equal(r->mem_stack, CC_TRACE_NO_STACK);
    assert_int_equal(r->current.thread, b.tid);
    assert_int_equal(r->current.flags, CC_ACCESS_WRITE | CC_ACCESS_FREE);
    assert_int_equal(r->previous.thread, a.tid);
    assert_int_equal(r->previous.flags, 0);
    /* The second close: the descriptor's making was forgotten with the
     * first close, and c made nothing. */
    r = &t.races[1].rec;
    assert_int_equal(r->current.thread, d.tid);
    assert_int_equal(r->previous.thread, c.tid);
    assert_int_equal(r->mem_thread, CC_TRACE_NO_THREAD);
    assert_int_equal(r->mem_stack, CC_TRACE_NO_STACK);
    cc_trace_free(&t);
}

static void make_and_close_pipes(cc_thread_t *t, void *arg)
{
    int rounds = *(int *)arg;
    for (int i = 0; i < rounds; i++) {
        int ends[2] = {40, 41};
        cc_race_fd_made_pair(t, ends, 0x7d);
        cc_race_fd_made(t, 42, CC_FD_SYNC_OWN, 0x7e);
        cc_race_fd_poll_added(t, 42, 40);
        cc_race_fd_release(t, 41, 0x7f); /* makes the clocks exist */
        cc_race_fd_release(t, 40, 0x7f);
        cc_race_fd_release(t, 42, 0x7f);
        cc_race_fd_dup(t, 41, 43, false, 0x80);
        cc_race_fd_dup(t, 40, 43, true, 0x81); /* dup2 over 43 */
        for (int fd = 40; fd <= 43; fd++)
            cc_race_fd_closing(t, fd, 0x82);
    }
}

static void test_clocks_come_back(void **state)
{
    (void)state;
    char *path = begin();
    int rounds = 100;
    on_main(make_and_close_pipes, &rounds);
    uint64_t live, nodes, live_after, nodes_after;
    cc_sync_count(&live, &nodes);
    rounds = 20000;
    on_main(make_and_close_pipes, &rounds);
    cc_sync_count(&live_after, &nodes_after);
    assert_int_equal(live_after, live);
    assert_true(nodes_after <= nodes + 8);
    expect_no_races(path);
}

static void out_of_range(cc_thread_t *t, void *arg)
{
    (void)arg;
    const int bad[] = {-1, INT_MIN, CC_RACE_FD_MAX, INT_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = bad[i];
        cc_race_fd_made(t, fd, CC_FD_SYNC_OWN, 1);
        cc_race_fd_use(t, fd, 1);
        cc_race_fd_release(t, fd, 1);
        cc_race_fd_acquire(t, fd);
        cc_race_fd_dup(t, fd, 50, true, 1);
        cc_race_fd_dup(t, 50, fd, false, 1);
        cc_race_fd_poll_added(t, fd, 50);
        cc_race_fd_poll_added(t, 50, fd);
        cc_race_fd_connected(t, fd);
        cc_race_fd_closing(t, fd, 1);
        int pair[2] = {fd, 51};
        cc_race_fd_made_pair(t, pair, 1);
    }
    /* The highest number in range has an entry of its own. */
    cc_race_fd_made(t, CC_RACE_FD_MAX - 1, CC_FD_SYNC_SOCKETS, 1);
    cc_race_fd_closing(t, CC_RACE_FD_MAX - 1, 1);
}

static void test_out_of_range(void **state)
{
    (void)state;
    char *path = begin();
    on_main(out_of_range, NULL);
    int fd;
    uint32_t tid;
    uint64_t pc;
    assert_false(cc_race_fd_describe(ADDR(&fd), &fd, &tid, &pc));
    expect_no_races(path);
}

/* A forked child's descriptors start clean: the threads that used them
 * are not in it. */
static void test_fork_child_starts_clean(void **state)
{
    (void)state;
    char *path = begin();
    on_main(make_file, NULL);
    job_t a, b;
    plan_t p = nothing;
    p.use_fd = 30;
    run_plan(&a, p);
    cc_race_fd_after_fork_child();
    p = nothing;
    p.close_fd = 30;
    run_plan(&b, p);
    expect_no_races(path);
}

static int setup(void **state)
{
    (void)state;
    main_thread = start_race_runtime("race_fd");
    return main_thread ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipe_orders_its_ends),
        cmocka_unit_test(test_closed_pipe_forgets_its_clock),
        cmocka_unit_test(test_dup_and_epoll_share_clocks),
        cmocka_unit_test(test_close_races_with_use),
        cmocka_unit_test(test_clocks_come_back),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_fork_child_starts_clean),
    };
    return cmocka_run_group_tests(tests, setup, traced_runtime_teardown);
}
