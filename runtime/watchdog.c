/* The watchdog.
 *
 * Rules:
 *  - Nobody scans while nobody is blocked: threads count themselves in and
 *    out of blocking waits (cc_wait_begin/cc_wait_end), and the watchdog
 *    sleeps on a futex on that count while it is zero. It is started by the
 *    first wait, so a program that never blocks never gets the thread.
 *  - The watchdog is a plain thread made with the real pthread_create. It
 *    has no runtime thread state, makes no interposed call, and blocks every
 *    signal, so the program never sees it.
 *  - It reads other threads' wait fields and held-lock stacks without
 *    locks: a snapshot may be stale, so a verdict must hold on a second look
 *    with the very same waits (same start times) before it is reported.
 *  - Timed waits end by themselves and are never part of a verdict.
 *  - Stacks: a blocked thread is asked to unwind itself from a signal
 *    handler (it sits in a futex wait inside the real call, outside the
 *    runtime). Semaphore and condition waits are not interrupted unless the
 *    process is about to end, because the signal would make them return
 *    early (EINTR, or a spurious wakeup). A thread that does not answer is
 *    reported with its blocking call's frame alone. */
#include "watchdog.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lock_table.h"
#include "notify.h"
#include "options.h"
#include "real.h"
#include "signals.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

enum {
    MAX_WATCHED = 4096,      /* threads looked at in one scan */
    ANSWER_WAIT_MS = 300,    /* how long to wait for stacks */
    MAX_REPORTED = 64,       /* verdicts remembered, to report each once */
};

typedef struct watched {
    cc_thread_t *t;
    uint32_t tid, os_tid, kind;
    bool timed;
    uint64_t object, since;
    int holder; /* index of the thread it waits on, or -1 */
} watched_t;

static struct {
    uint32_t blocked; /* futex word: threads inside a wait */
    int quit;         /* cc_watchdog_stop was called */
    int started;
    int stack_signal; /* 0 if the program owns the signal we would use */
    uint32_t next_request;
    watched_t now[MAX_WATCHED];
    size_t n_now;
    bool truncated; /* more threads than MAX_WATCHED */
    bool starting;  /* a created thread was not yet in the snapshot */
    uint64_t reported[MAX_REPORTED];
    size_t n_reported;
} wd;

static long futex(uint32_t *word, int op, uint32_t value, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

/* --- the waiting threads' side ------------------------------------------ */

static void *watchdog_main(void *unused);

static void start_watchdog(void)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&wd.started, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
        return;
    int saved_errno = errno;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1u << 20);
    pthread_t thread;
    int rc = CC_REAL(pthread_create)(&thread, &attr, watchdog_main, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        cc_log("cannot start the deadlock watchdog (pthread_create: %d); deadlocks will hang", rc);
    errno = saved_errno;
}

void cc_watchdog_blocked(void)
{
    if (cc_opt.watchdog_ms == 0)
        return;
    if (__atomic_fetch_add(&wd.blocked, 1, __ATOMIC_ACQ_REL) == 0) {
        int saved_errno = errno;
        futex(&wd.blocked, FUTEX_WAKE_PRIVATE, 1, NULL);
        errno = saved_errno;
    }
    if (CC_UNLIKELY(!__atomic_load_n(&wd.started, __ATOMIC_RELAXED)))
        start_watchdog();
}

void cc_watchdog_unblocked(void)
{
    if (cc_opt.watchdog_ms != 0)
        __atomic_fetch_sub(&wd.blocked, 1, __ATOMIC_ACQ_REL);
}

void cc_watchdog_stop(void)
{
    __atomic_store_n(&wd.quit, 1, __ATOMIC_RELEASE);
    int saved_errno = errno;
    futex(&wd.blocked, FUTEX_WAKE_PRIVATE, 1, NULL);
    errno = saved_errno;
}

void cc_watchdog_after_fork_child(void)
{
    wd.started = 0;
    wd.blocked = 0;
    wd.quit = 0;
    wd.n_reported = 0;
}

/* Runs on a blocked thread that the watchdog asked for its stack. */
static void on_stack_request(int sig)
{
    (void)sig;
    int saved_errno = errno;
    cc_thread_t *t = cc_current_thread;
    if (t && !t->guard) {
        uint32_t request = __atomic_load_n(&t->stack_request, __ATOMIC_ACQUIRE);
        if (request != __atomic_load_n(&t->stack_answer, __ATOMIC_RELAXED)) {
            t->guard = 1;
            cc_unwound_t now;
            cc_unwind(t->wait_at, &now);
            t->wait_stack = cc_stack_intern(now.pc, now.n);
            /* Where it took the locks it holds, while their frames are live. */
            for (uint32_t i = 0; i < t->locks.n_held; i++)
                if (!t->locks.held[i].stack)
                    t->locks.held[i].stack = cc_stack_earlier(&now, t->locks.held[i].at);
            t->guard = 0;
            __atomic_store_n(&t->stack_answer, request, __ATOMIC_RELEASE);
        }
    }
    errno = saved_errno;
}

/* --- the watchdog's side -------------------------------------------------- */

static void take_snapshot_of(cc_thread_t *t, void *unused)
{
    (void)unused;
    if (wd.n_now == MAX_WATCHED) {
        wd.truncated = true;
        return;
    }
    watched_t *w = &wd.now[wd.n_now++];
    w->t = t;
    w->tid = t->tid;
    w->os_tid = t->os_tid;
    w->kind = __atomic_load_n(&t->wait_kind, __ATOMIC_ACQUIRE);
    w->timed = t->wait_timed;
    w->object = __atomic_load_n(&t->wait_object, __ATOMIC_RELAXED);
    w->since = t->wait_since;
    w->holder = -1;
}

static void take_snapshot(void)
{
    wd.n_now = 0;
    wd.truncated = false;
    /* Read before the list: a thread that starts in between is then
     * counted here or found in the list. */
    wd.starting = cc_threads_starting() > 0;
    cc_threads_for_each(take_snapshot_of, NULL);
}

static bool is_lock_wait(uint32_t kind) { return kind == CC_WAIT_LOCK || kind == CC_WAIT_READ_LOCK; }

static bool stuck(const watched_t *w, uint64_t now)
{
    return w->kind != CC_WAIT_NONE && !w->timed &&
           now - w->since >= (uint64_t)cc_opt.watchdog_ms * 1000000u;
}

/* The held entry of thread t for the lock at addr, or NULL. */
static cc_held_t *held_entry(cc_thread_t *t, uint64_t addr)
{
    cc_held_t *held = __atomic_load_n(&t->locks.held, __ATOMIC_RELAXED);
    uint32_t n = __atomic_load_n(&t->locks.n_held, __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < n; i++)
        if (held[i].addr == addr)
            return &held[i];
    return NULL;
}

/* Who each waiting thread waits on: the holder of the lock, the thread it
 * joins. (A lock with several read holders names the first found.) */
static void find_holders(void)
{
    for (size_t i = 0; i < wd.n_now; i++) {
        watched_t *w = &wd.now[i];
        if (w->kind == CC_WAIT_JOIN) {
            uint32_t target = cc_thread_tid_of((pthread_t)w->object);
            for (size_t j = 0; j < wd.n_now; j++)
                if (wd.now[j].tid == target)
                    w->holder = (int)j;
        } else if (is_lock_wait(w->kind)) {
            for (size_t j = 0; j < wd.n_now && w->holder < 0; j++)
                if (held_entry(wd.now[j].t, w->object))
                    w->holder = (int)j;
        }
    }
}

/* The verdict of one scan: its kind and the threads in it (indexes). */
typedef struct verdict {
    cc_stuck_verdict_t kind;
    size_t n;
    int members[MAX_WATCHED];
} verdict_t;

static verdict_t verdict;

static bool judge(uint64_t now)
{
    find_holders();
    /* A thread waiting for itself, then a cycle of stuck threads each
     * waiting on the next. Following holders from a stuck thread either
     * ends, or loops: the loop is the cycle. */
    for (size_t i = 0; i < wd.n_now; i++) {
        if (!stuck(&wd.now[i], now) || wd.now[i].holder < 0)
            continue;
        if (wd.now[i].holder == (int)i) {
            verdict.kind = CC_STUCK_SELF_DEADLOCK;
            verdict.n = 1;
            verdict.members[0] = (int)i;
            return true;
        }
        int slow = (int)i, fast = (int)i;
        size_t steps = 0;
        while (steps++ <= wd.n_now) {
            if (fast < 0 || !stuck(&wd.now[fast], now) || wd.now[fast].holder < 0)
                break;
            fast = wd.now[fast].holder;
            if (fast < 0 || !stuck(&wd.now[fast], now) || wd.now[fast].holder < 0)
                break;
            fast = wd.now[fast].holder;
            slow = wd.now[slow].holder;
            if (slow == fast) {
                verdict.kind = CC_STUCK_DEADLOCK;
                verdict.n = 0;
                int at = slow;
                do {
                    verdict.members[verdict.n++] = at;
                    at = wd.now[at].holder;
                } while (at != slow && verdict.n < MAX_WATCHED);
                return true;
            }
        }
    }
    /* Every live thread blocked with no deadline: nothing can wake them.
     * Not so while a created thread has yet to start, nor for a join of a
     * thread that is not live: it has finished (the kernel has yet to
     * reap it) or not started, and either way the join ends by itself.
     * A storm of signals can stretch both for seconds. */
    if (wd.truncated || wd.starting || wd.n_now == 0)
        return false;
    verdict.n = 0;
    for (size_t i = 0; i < wd.n_now; i++) {
        if (!stuck(&wd.now[i], now) || (wd.now[i].kind == CC_WAIT_JOIN && wd.now[i].holder < 0))
            return false;
        verdict.members[verdict.n++] = (int)i;
    }
    verdict.kind = CC_STUCK_HANG;
    return true;
}

/* A signature of the verdict's waits, to confirm it and to report it once. */
static uint64_t signature(void)
{
    uint64_t sig = verdict.kind;
    for (size_t i = 0; i < verdict.n; i++) {
        const watched_t *w = &wd.now[verdict.members[i]];
        sig = cc_hash64(sig ^ ((uint64_t)w->tid << 32) ^ w->since ^ w->object);
    }
    return sig;
}

static bool may_interrupt(uint32_t kind)
{
    if (cc_opt.watchdog_exit)
        return true; /* the process ends: an early return cannot matter */
    return kind != CC_WAIT_SEM && kind != CC_WAIT_COND;
}

/* Asks every thread of the verdict (and the holders they wait on) for its
 * stack and waits a little for the answers. */
static void collect_stacks(void)
{
    /* The program may have installed a handler of its own there since. */
    if (!wd.stack_signal || !cc_signal_claimed(wd.stack_signal))
        return;
    uint32_t request = ++wd.next_request;
    pid_t pid = getpid();
    for (size_t i = 0; i < verdict.n; i++) {
        const watched_t *w = &wd.now[verdict.members[i]];
        if (!may_interrupt(w->kind))
            continue;
        __atomic_store_n(&w->t->stack_request, request, __ATOMIC_RELEASE);
        syscall(SYS_tgkill, pid, w->os_tid, wd.stack_signal);
    }
    for (int waited = 0; waited < ANSWER_WAIT_MS; waited += 5) {
        bool all = true;
        for (size_t i = 0; i < verdict.n; i++) {
            const watched_t *w = &wd.now[verdict.members[i]];
            all &= !may_interrupt(w->kind) ||
                   __atomic_load_n(&w->t->stack_answer, __ATOMIC_ACQUIRE) == request;
        }
        if (all)
            return;
        cc_sleep_ns(5000000);
    }
}

static uint32_t one_frame(uint64_t pc) { return cc_stack_intern(&pc, 1); }

static void write_report(uint64_t now)
{
    static struct {
        cc_rec_stuck_t rec;
        cc_stuck_thread_t threads[MAX_WATCHED];
    } buf;
    uint64_t youngest = UINT64_MAX;
    for (size_t i = 0; i < verdict.n; i++) {
        const watched_t *w = &wd.now[verdict.members[i]];
        cc_thread_t *t = w->t;
        cc_stuck_thread_t *out = &buf.threads[i];
        memset(out, 0, sizeof *out);
        out->tid = w->tid;
        out->kind = w->kind;
        out->object = w->object;
        bool answered = t->wait_stack && __atomic_load_n(&t->stack_answer, __ATOMIC_ACQUIRE) ==
                                             wd.next_request;
        out->stack = answered ? t->wait_stack : one_frame(t->wait_at.pc);
        out->holder = CC_TRACE_NO_THREAD;
        if (is_lock_wait(w->kind)) {
            cc_lock_t *lock = cc_lock_find(w->object);
            if (lock) {
                out->lock = __atomic_load_n(&lock->id, __ATOMIC_RELAXED);
                cc_lock_write_record(lock);
            }
        }
        if (w->holder >= 0) {
            cc_thread_t *holder = wd.now[w->holder].t;
            out->holder = wd.now[w->holder].tid;
            cc_held_t *h = is_lock_wait(w->kind) ? held_entry(holder, w->object) : NULL;
            if (h)
                out->holder_stack = h->stack ? h->stack : one_frame(h->at.pc);
        }
        if (now - w->since < youngest)
            youngest = now - w->since;
    }
    buf.rec.verdict = verdict.kind;
    buf.rec.n_threads = (uint32_t)verdict.n;
    buf.rec.blocked_ms = youngest / 1000000u;
    cc_trace_write(CC_REC_STUCK, &buf.rec.h,
                   (uint32_t)(sizeof buf.rec + verdict.n * sizeof buf.threads[0]));
}

static const char *verdict_name(cc_stuck_verdict_t kind)
{
    return kind == CC_STUCK_DEADLOCK        ? "deadlock"
           : kind == CC_STUCK_SELF_DEADLOCK ? "self-deadlock"
                                            : "hang";
}

static void report(uint64_t now)
{
    /* Condition waits among them may be waiting for a lost signal. Judged
     * before the stack requests, which may wake a condition wait. */
    static cc_rec_missed_signal_t missed[MAX_WATCHED];
    bool is_missed[MAX_WATCHED];
    for (size_t i = 0; i < verdict.n; i++)
        is_missed[i] = cc_cond_missed_now(wd.now[verdict.members[i]].t, CC_MISSED_STUCK, &missed[i]);
    collect_stacks();
    for (size_t i = 0; i < verdict.n; i++) {
        cc_thread_t *t = wd.now[verdict.members[i]].t;
        if (!is_missed[i])
            continue;
        if (__atomic_load_n(&t->stack_answer, __ATOMIC_ACQUIRE) == wd.next_request)
            missed[i].wait_stack = t->wait_stack;
        cc_cond_write_missed(&missed[i]);
    }
    write_report(now);
    if (cc_opt.watchdog_exit) {
        cc_log("%s: %u thread%s blocked for good; ending the process (exit status %d). "
               "Set CCHECK_OPTIONS=watchdog_exit=0 to let it hang instead.",
               verdict_name(verdict.kind), (unsigned)verdict.n, verdict.n == 1 ? "" : "s",
               cc_opt.watchdog_exitcode);
        cc_trace_end(CC_END_WATCHDOG, cc_opt.watchdog_exitcode);
        syscall(SYS_exit_group, cc_opt.watchdog_exitcode);
    }
    cc_log("%s: %u thread%s blocked for good (reported; the process goes on waiting)",
           verdict_name(verdict.kind), (unsigned)verdict.n, verdict.n == 1 ? "" : "s");
}

static bool already_reported(uint64_t sig)
{
    for (size_t i = 0; i < wd.n_reported; i++)
        if (wd.reported[i] == sig)
            return true;
    return false;
}

/* If the program uses the signal, stacks of blocked threads stay short. */
static void install_stack_handler(void)
{
    int sig = SIGRTMAX - 3;
    if (cc_signal_claim(sig, on_stack_request, SA_RESTART, true))
        wd.stack_signal = sig;
}

static void *watchdog_main(void *unused)
{
    (void)unused;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    install_stack_handler();
    uint64_t period = (uint64_t)cc_opt.watchdog_ms * 1000000u / 4;
    if (period < 10000000u)
        period = 10000000u;
    if (period > 100000000u)
        period = 100000000u;
    uint64_t candidate = 0;
    for (;;) {
        while (__atomic_load_n(&wd.blocked, __ATOMIC_ACQUIRE) == 0 &&
               !__atomic_load_n(&wd.quit, __ATOMIC_ACQUIRE))
            futex(&wd.blocked, FUTEX_WAIT_PRIVATE, 0, NULL);
        if (__atomic_load_n(&wd.quit, __ATOMIC_ACQUIRE))
            CC_REAL(pthread_exit)(NULL);
        cc_sleep_ns(period);
        if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) != CC_RUNTIME_ON)
            continue;
        take_snapshot();
        uint64_t now = cc_monotonic_ns();
        if (!judge(now)) {
            candidate = 0;
            continue;
        }
        /* Report only what a second look confirms. */
        uint64_t sig = signature();
        if (sig != candidate) {
            candidate = sig;
            continue;
        }
        if (already_reported(sig))
            continue;
        if (wd.n_reported < MAX_REPORTED)
            wd.reported[wd.n_reported++] = sig;
        report(now);
    }
    return NULL;
}
