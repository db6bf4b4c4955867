/* Missed notifications (lost wakeups).
 *
 * Each condition variable counts its signals and its waiters, and
 * remembers its last lost signal (one that found no waiter): who sent it,
 * from where, and whether the sender held the waiters' mutex. A wait
 * records the signal count when it begins. It missed its notification when
 * the last signal before it was lost and no signal came after.
 *
 * Heuristic, for timed waits used as polls: a timed-out wait that missed a
 * signal is only a candidate. If the same thread's next condition wait is on
 * the same condition variable from the same call site, it was polling (it
 * re-checks its predicate on every timeout) and the candidate is dropped;
 * otherwise (another wait, the thread's exit, the process's end) it is
 * written. Once a wait has shown itself to be a poll, its later timeouts
 * (the last one too, when the poller gives up) are never candidates. The lost signal must not have been sent by the waiter itself.
 *
 * A wait still blocked at exit looks just like a thread pool's idle worker
 * (xz leaves its workers waiting for work at exit, having picked up the
 * last signalled job through its predicate), so it counts only when the
 * lost signal was sent without holding the waiters' mutex: the race that
 * makes a real lost wakeup. A wait the watchdog finds stuck (the process
 * really hangs) counts when the signal was sent without the mutex, or when
 * it is the thread's first wait on that condition variable (a thread that
 * waited there before has shown that it checks a predicate).
 *
 * Misuse (see "misuse" below) is judged on the same state: the mutex the
 * waiters use is the one the last wait passed, and a condition variable
 * whose waits have passed more than one (legal while nobody waits) is
 * "rebound" until its next init or destroy.
 *
 * Rules: all of this runs inside the runtime (guard held) on condition-
 * variable calls only, never on a lock path. The counters are atomic; the
 * lost-signal fields may be read torn by a racing signaller, which can only
 * blur a report's details. A full stack is unwound for a lost signal only
 * the first time it comes from a given call site. The misuse checks never
 * change a call's result or errno, and a misuse is written only when a
 * second witness agrees (see "misuse"). */
#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lock_table.h"
#include "misuse.h"
#include "options.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

enum { KNOWN_WAITERS = 16 };

typedef struct cc_cond {
    uint32_t waiters;
    /* Threads that have waited on it before (the first few), for the rule
     * on blocked waits below. */
    uint32_t waited[KNOWN_WAITERS];
    uint32_t n_waited;
    uint64_t signals;
    uint64_t lost_at; /* `signals` just after the last lost signal; 0: none */
    uint32_t lost_tid;
    uint32_t lost_stack;
    uint64_t lost_pc;
    /* The locks the lost signal's sender held (the first few): which mutex
     * goes with the condition variable may only be known at a later wait. */
    uint64_t lost_held[4];
    uint32_t n_lost_held; /* > 4: more than were kept */
    /* The locks its sender had used lately (its lock cache), for
     * signal-unlocked. */
    uint64_t lost_recent[CC_LOCK_CACHE];
    uint64_t mutex;       /* the mutex its waiters use */
    /* Misuse: the wait that passed `mutex` last (its thread and call
     * site), whether waits have passed another mutex since the last init
     * or destroy, and whether the last lost signal still waits for the
     * next wait to judge it; the signal site last reported as
     * signal-unlocked. */
    uint32_t mutex_tid;
    bool rebound;
    bool lost_unjudged;
    uint64_t mutex_pc;
    uint64_t unlocked_pc; /* one finding, not two, when a site is seen both ways */
} cc_cond_t;

static cc_cond_t *cond_of(void *addr, uint64_t pc)
{
    cc_lock_t *node = cc_lock_get((uint64_t)(uintptr_t)addr, CC_LOCK_COND, pc);
    cc_cond_t *c = __atomic_load_n(&node->cond, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    cc_cond_t *fresh = cc_alloc(sizeof *fresh);
    cc_cond_t *none = NULL;
    if (__atomic_compare_exchange_n(&node->cond, &none, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return fresh;
    return none; /* another thread made it first; ours stays in the arena */
}

/* Whether the lost signal's sender held `mutex`: 1 yes, 0 no, 2 unknown. */
static uint32_t sender_held(const cc_cond_t *c, uint64_t mutex)
{
    uint32_t n = c->n_lost_held;
    for (uint32_t i = 0; i < n && i < CC_ARRAY_SIZE(c->lost_held); i++)
        if (c->lost_held[i] == mutex)
            return 1;
    return mutex && n <= CC_ARRAY_SIZE(c->lost_held) ? 0 : 2;
}

static void check_signal(cc_thread_t *t, cc_cond_t *c, uint64_t addr, cc_caller_t at);

void cc_cond_signaling(void *addr, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_cond_t *c = cond_of(addr, at.pc);
    uint64_t n = __atomic_add_fetch(&c->signals, 1, __ATOMIC_ACQ_REL);
    if (__atomic_load_n(&c->waiters, __ATOMIC_ACQUIRE) == 0) {
        if (__atomic_load_n(&c->lost_pc, __ATOMIC_RELAXED) != at.pc) {
            c->lost_stack = cc_stack_here(at);
            __atomic_store_n(&c->lost_pc, at.pc, __ATOMIC_RELAXED);
        }
        c->lost_tid = t->tid;
        c->n_lost_held = t->locks.n_held;
        for (uint32_t i = 0; i < t->locks.n_held && i < CC_ARRAY_SIZE(c->lost_held); i++)
            c->lost_held[i] = t->locks.held[i].addr;
        if (cc_opt.signal_unlocked) {
            memcpy(c->lost_recent, t->locks.cache_addr, sizeof c->lost_recent);
            __atomic_store_n(&c->lost_unjudged, true, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&c->lost_at, n, __ATOMIC_RELEASE);
    } else if (cc_opt.signal_unlocked) {
        check_signal(t, c, (uint64_t)(uintptr_t)addr, at);
    }
    cc_leave(t);
}

static bool waited_before(cc_cond_t *c, uint32_t tid)
{
    uint32_t n = __atomic_load_n(&c->n_waited, __ATOMIC_ACQUIRE);
    if (n > KNOWN_WAITERS)
        return true; /* too many to know: assume it did */
    for (uint32_t i = 0; i < n; i++)
        if (c->waited[i] == tid)
            return true;
    return false;
}

static void note_waiter(cc_cond_t *c, uint32_t tid)
{
    if (waited_before(c, tid))
        return;
    uint32_t at = __atomic_fetch_add(&c->n_waited, 1, __ATOMIC_ACQ_REL);
    if (at < KNOWN_WAITERS)
        __atomic_store_n(&c->waited[at], tid, __ATOMIC_RELEASE);
}

/* The record for a wait that missed the lost signal of c, or false.
 * `first_wait`: this is the thread's first wait on c. */
static bool missed(const cc_thread_t *t, cc_cond_t *c, uint64_t addr, cc_missed_how_t how,
                   uint32_t wait_stack, cc_rec_missed_signal_t *rec)
{
    uint64_t began = t->cond_wait_signals;
    if (began == 0 || __atomic_load_n(&c->lost_at, __ATOMIC_ACQUIRE) != began ||
        __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE) != began || c->lost_tid == t->tid)
        return false;
    uint32_t held = sender_held(c, __atomic_load_n(&c->mutex, __ATOMIC_RELAXED));
    if (how == CC_MISSED_AT_EXIT && held != 0)
        return false;
    if (how == CC_MISSED_STUCK && held != 0 && !t->cond_first_wait)
        return false;
    memset(rec, 0, sizeof *rec);
    rec->waiter = t->tid;
    rec->how = how;
    rec->cond = addr;
    rec->mutex = __atomic_load_n(&c->mutex, __ATOMIC_RELAXED);
    rec->wait_stack = wait_stack;
    rec->lost_thread = c->lost_tid;
    rec->lost_stack = c->lost_stack;
    rec->lost_held = held;
    return true;
}

void cc_cond_write_missed(cc_rec_missed_signal_t *rec)
{
    cc_trace_write(CC_REC_MISSED_SIGNAL, &rec->h, sizeof *rec);
}

void cc_cond_flush_missed(cc_thread_t *t)
{
    if (t->missed.pending) {
        cc_cond_write_missed(&t->missed.record);
        t->missed.pending = false;
    }
}

static void check_wait(cc_thread_t *t, cc_cond_t *c, uint64_t addr, uint64_t mutex,
                       cc_lock_kind_t mutex_kind, cc_caller_t at);

void cc_cond_wait_begin(void *addr, void *mutex, cc_lock_kind_t mutex_kind, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    if (t->missed.pending) {
        /* The same wait again: a poll re-checking its predicate. */
        if (t->missed.cond == (uint64_t)(uintptr_t)addr && t->missed.site == at.pc) {
            t->missed.pending = false;
            t->missed.poll_cond = t->missed.cond;
            t->missed.poll_site = t->missed.site;
        } else {
            cc_cond_flush_missed(t);
        }
    }
    cc_cond_t *c = cond_of(addr, at.pc);
    check_wait(t, c, (uint64_t)(uintptr_t)addr, (uint64_t)(uintptr_t)mutex, mutex_kind, at);
    /* Who bound it is stored before the mutex, which a signaller reads
     * first (acquire). */
    c->mutex_tid = t->tid;
    c->mutex_pc = at.pc;
    __atomic_store_n(&c->mutex, (uint64_t)(uintptr_t)mutex, __ATOMIC_RELEASE);
    t->cond_first_wait = !waited_before(c, t->tid);
    note_waiter(c, t->tid);
    t->cond_wait_signals = __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE);
    __atomic_add_fetch(&c->waiters, 1, __ATOMIC_ACQ_REL);
    cc_leave(t);
}

void cc_cond_wait_end(void *addr, int timed_out, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_cond_t *c = cond_of(addr, at.pc);
    __atomic_sub_fetch(&c->waiters, 1, __ATOMIC_ACQ_REL);
    bool poll = t->missed.poll_cond == (uint64_t)(uintptr_t)addr && t->missed.poll_site == at.pc;
    if (timed_out && !poll && missed(t, c, (uint64_t)(uintptr_t)addr, CC_MISSED_TIMED_OUT,
                            CC_TRACE_NO_STACK, &t->missed.record)) {
        t->missed.record.wait_stack = cc_stack_here(at);
        t->missed.cond = (uint64_t)(uintptr_t)addr;
        t->missed.site = at.pc;
        t->missed.pending = true;
    }
    t->cond_wait_signals = 0;
    cc_leave(t);
}

bool cc_cond_missed_now(cc_thread_t *t, cc_missed_how_t how, cc_rec_missed_signal_t *rec)
{
    if (__atomic_load_n(&t->wait_kind, __ATOMIC_ACQUIRE) != CC_WAIT_COND)
        return false;
    uint64_t addr = __atomic_load_n(&t->wait_object, __ATOMIC_RELAXED);
    cc_lock_t *node = cc_lock_find(addr);
    cc_cond_t *c = node ? __atomic_load_n(&node->cond, __ATOMIC_ACQUIRE) : NULL;
    /* Until someone has its full stack: the blocking call's frame. */
    return c && missed(t, c, addr, how, cc_stack_intern(&t->wait_at.pc, 1), rec);
}

void cc_cond_check_blocked(cc_thread_t *t, cc_missed_how_t how)
{
    cc_rec_missed_signal_t rec;
    if (cc_cond_missed_now(t, how, &rec))
        cc_cond_write_missed(&rec);
}

/* ---- misuse -----------------------------------------------------------------
 *
 * Each check starts from what the runtime keeps (the thread's held stack,
 * the waiters count, the mutex the waits passed) and writes a record only
 * when a second witness agrees:
 *  - a mutex the thread does not hold by its held stack must not be its own
 *    by glibc's owner field either (a mutex taken before the runtime
 *    started, or taken back behind the interposer by a wait cancelled while
 *    it waited, is missing from the held stack);
 *  - another waiter must be seen blocked on the condition variable now
 *    (the waiters count is no witness alone: a wait that was cancelled
 *    never comes back to lower it).
 * The record names the condition variable by `addr` and the mutex by
 * `lock`. Each check runs the first few times it suspects a misuse at a
 * call site (per trace), and a record is written once per (kind, stack,
 * related stack): misuse.c's dedup, shared. */

/* Writes the record: the calling thread did it at `stack` (or
 * CC_TRACE_NO_STACK: then other_thread did it at other_stack). */
static void report(cc_misuse_kind_t kind, uint64_t cond, cc_lock_t *mutex, uint32_t stack,
                   uint32_t other_thread, uint32_t other_stack)
{
    if (!cc_misuse_first_time(kind, 0, stack, other_thread, other_stack))
        return;
    cc_rec_misuse_t rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = kind;
    rec.stack = stack;
    rec.lock = mutex ? __atomic_load_n(&mutex->id, __ATOMIC_RELAXED) : 0;
    if (rec.lock)
        cc_lock_write_record(mutex);
    rec.addr = cond;
    rec.other_thread = other_thread;
    rec.other_stack = other_stack;
    cc_trace_write(CC_REC_MISUSE, &rec.h, sizeof rec);
}

/* Whether glibc's owner field says kernel thread os_tid holds the mutex
 * (a C11 mtx_t is a pthread mutex). `live`: the program has just passed
 * it to the call, so it is mapped; otherwise it may have been freed since,
 * and is read through the kernel, which fails instead of faulting. */
static bool owner_is(uint64_t mutex, uint32_t os_tid, bool live)
{
    pthread_mutex_t mem;
    if (live) {
        memcpy(&mem, (const void *)(uintptr_t)mutex, sizeof mem); /* a racy snapshot */
    } else {
        struct iovec local = {&mem, sizeof mem};
        struct iovec remote = {(void *)(uintptr_t)mutex, sizeof mem};
        int saved_errno = errno;
        long n = syscall(SYS_process_vm_readv, (long)syscall(SYS_getpid), &local, 1L, &remote,
                         1L, 0L);
        errno = saved_errno;
        if (n != (long)sizeof mem)
            return true; /* cannot tell: as if held */
    }
    return (uint32_t)mem.__data.__owner == os_tid;
}

static bool in_held_stack(const cc_thread_t *t, uint64_t mutex)
{
    for (uint32_t i = 0; i < t->locks.n_held; i++)
        if (t->locks.held[i].addr == mutex)
            return true;
    return false;
}

/* Whether the thread has locked the mutex lately: it is in the thread's
 * lock cache (lock_order.h), which every acquisition fills and only an
 * acquisition of another lock in the same slot empties. */
static bool used_lately(const uint64_t recent[CC_LOCK_CACHE], uint64_t mutex)
{
    return recent[cc_lock_cache_slot(mutex)] == mutex;
}

/* A thread other than `self` blocked in a wait on `cond` now (if `want`
 * is not CC_TRACE_NO_THREAD, that thread only), and where it waits. With
 * `unwoken`, only a wait that no signal or broadcast has come to since it
 * began (the cond's count is `signals`): one that may have been woken is
 * only taking its mutex back. */
typedef struct waiter_search {
    uint64_t cond;
    uint32_t self, want;
    bool unwoken;
    uint64_t signals;
    uint32_t tid; /* found, or CC_TRACE_NO_THREAD */
    uint64_t pc;
} waiter_search_t;

/* With the registry lock held, on other threads' state that may change
 * under it: wait_kind is read first (acquire), as cc_wait_begin stores it
 * last. */
static void find_waiter(cc_thread_t *t, void *ctx)
{
    waiter_search_t *s = ctx;
    if (s->tid != CC_TRACE_NO_THREAD || t->tid == s->self ||
        (s->want != CC_TRACE_NO_THREAD && t->tid != s->want))
        return;
    if (__atomic_load_n(&t->wait_kind, __ATOMIC_ACQUIRE) == CC_WAIT_COND &&
        __atomic_load_n(&t->wait_object, __ATOMIC_RELAXED) == s->cond &&
        (!s->unwoken || __atomic_load_n(&t->cond_wait_signals, __ATOMIC_RELAXED) == s->signals)) {
        s->tid = t->tid;
        s->pc = t->wait_at.pc;
    }
}

/* Fills in s (keeping its `unwoken` and `signals`) and searches. */
static bool blocked_waiter(uint64_t cond, uint32_t self, uint32_t want, waiter_search_t *s)
{
    *s = (waiter_search_t){.cond = cond, .self = self, .want = want, .unwoken = s->unwoken,
                           .signals = s->signals, .tid = CC_TRACE_NO_THREAD};
    cc_threads_for_each(find_waiter, s);
    return s->tid != CC_TRACE_NO_THREAD;
}

/* The mutex's lock-table entry, if the runtime has one. */
static cc_lock_t *mutex_lock(uint64_t mutex) { return mutex ? cc_lock_find(mutex) : NULL; }

/* Before a wait on c with `mutex`, before it is bound to c:
 * cond-wait-unheld-mutex, cond-mutex-mismatch, and signal-unlocked for the
 * last lost signal. */
static void check_wait(cc_thread_t *t, cc_cond_t *c, uint64_t addr, uint64_t mutex,
                       cc_lock_kind_t mutex_kind, cc_caller_t at)
{
    int saved_errno = errno;
    /* Both the held stack and the mutex's memory say the thread does not
     * hold it. glibc may then wait anyway (a default mutex) or fail with
     * EPERM: reported before the call either way. The mutex gets its
     * lock-table entry here, so the report can name it, as the wait's own
     * acquisition would make it. */
    if (!in_held_stack(t, mutex) && cc_misuse_site_budget(CC_MISUSE_COND_UNHELD_MUTEX, 0, at.pc) &&
        !owner_is(mutex, t->os_tid, true))
        report(CC_MISUSE_COND_UNHELD_MUTEX, addr, cc_lock_get(mutex, mutex_kind, at.pc),
               cc_stack_here(at), CC_TRACE_NO_THREAD, CC_TRACE_NO_STACK);

    uint64_t bound = __atomic_load_n(&c->mutex, __ATOMIC_ACQUIRE);
    if (bound && bound != mutex) {
        /* The thread that bound c to the other mutex must still be blocked
         * on c: then the two waits overlap. */
        waiter_search_t s = {0};
        if (__atomic_load_n(&c->waiters, __ATOMIC_ACQUIRE) > 0 &&
            cc_misuse_site_budget(CC_MISUSE_COND_MUTEX_MISMATCH, 0, at.pc) &&
            blocked_waiter(addr, t->tid, c->mutex_tid, &s))
            report(CC_MISUSE_COND_MUTEX_MISMATCH, addr, mutex_lock(mutex), cc_stack_here(at),
                   s.tid, cc_stack_intern(&s.pc, 1));
        __atomic_store_n(&c->rebound, true, __ATOMIC_RELEASE);
    }
    /* A lost signal was meant for the waits that come after it: this one
     * names the mutex they use, and judges it by the locks its sender held
     * and had used lately. The record is the sender's (no stack of this
     * thread's own). */
    if (__atomic_load_n(&c->lost_unjudged, __ATOMIC_RELAXED)) {
        __atomic_store_n(&c->lost_unjudged, false, __ATOMIC_RELAXED);
        uint64_t pc = __atomic_load_n(&c->lost_pc, __ATOMIC_RELAXED);
        /* A thread cannot lose its own wakeup: its own earlier signal is
         * not judged. */
        if (cc_opt.signal_unlocked && c->lost_tid != t->tid &&
            !__atomic_load_n(&c->rebound, __ATOMIC_ACQUIRE) &&
            sender_held(c, mutex) == 0 && !used_lately(c->lost_recent, mutex) &&
            pc != __atomic_load_n(&c->unlocked_pc, __ATOMIC_RELAXED) &&
            cc_misuse_site_budget(CC_MISUSE_SIGNAL_UNLOCKED, 0, pc)) {
            __atomic_store_n(&c->unlocked_pc, pc, __ATOMIC_RELAXED);
            report(CC_MISUSE_SIGNAL_UNLOCKED, addr, mutex_lock(mutex), CC_TRACE_NO_STACK,
                   c->lost_tid, c->lost_stack);
        }
    }
    errno = saved_errno;
}

/* A signal or broadcast that finds threads waiting on c: signal-unlocked
 * if the thread does not hold the mutex they use and has not locked it
 * lately. Signalling right after the unlock is legal, and safe when the
 * condition changed under the mutex (zstd's thread pool shuts down that
 * way): what is reported is a thread that changes the condition without
 * taking the mutex at all. Silent on a condition variable rebound to other
 * mutexes. A signal that finds nobody waiting (lost) has no waiters' mutex
 * yet: the next wait judges it (check_wait). */
static void check_signal(cc_thread_t *t, cc_cond_t *c, uint64_t addr, cc_caller_t at)
{
    uint64_t mutex = __atomic_load_n(&c->mutex, __ATOMIC_ACQUIRE);
    if (!mutex || __atomic_load_n(&c->rebound, __ATOMIC_ACQUIRE) || in_held_stack(t, mutex) ||
        used_lately(t->locks.cache_addr, mutex) ||
        at.pc == __atomic_load_n(&c->unlocked_pc, __ATOMIC_RELAXED) ||
        !cc_misuse_site_budget(CC_MISUSE_SIGNAL_UNLOCKED, 0, at.pc))
        return;
    int saved_errno = errno;
    if (!owner_is(mutex, t->os_tid, false)) {
        uint64_t pc = c->mutex_pc;
        __atomic_store_n(&c->unlocked_pc, at.pc, __ATOMIC_RELAXED);
        report(CC_MISUSE_SIGNAL_UNLOCKED, addr, mutex_lock(mutex), cc_stack_here(at),
               c->mutex_tid, cc_stack_intern(&pc, 1));
    }
    errno = saved_errno;
}

/* A new instance: no mutex bound yet. */
static void unbind(cc_cond_t *c)
{
    __atomic_store_n(&c->mutex, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&c->rebound, false, __ATOMIC_RELEASE);
    __atomic_store_n(&c->lost_unjudged, false, __ATOMIC_RELAXED);
    __atomic_store_n(&c->unlocked_pc, 0, __ATOMIC_RELAXED);
}

void cc_cond_initialized(void *addr)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *node = cc_lock_find((uint64_t)(uintptr_t)addr);
    cc_cond_t *c = node ? __atomic_load_n(&node->cond, __ATOMIC_ACQUIRE) : NULL;
    if (c)
        unbind(c);
    cc_leave(t);
}

bool cc_cond_destroying(void *addr, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return false;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    cc_lock_t *node = cc_lock_find(key);
    cc_cond_t *c = node ? __atomic_load_n(&node->cond, __ATOMIC_ACQUIRE) : NULL;
    bool waiters = false;
    if (c) {
        /* Destroying right after waking every waiter is legal (they are
         * only taking their mutex back): reported is a waiter that no
         * signal or broadcast has come to since its wait began. */
        waiter_search_t s = {.unwoken = true,
                             .signals = __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE)};
        int saved_errno = errno;
        waiters = __atomic_load_n(&c->waiters, __ATOMIC_ACQUIRE) > 0;
        if (waiters && cc_misuse_site_budget(CC_MISUSE_DESTROY_WITH_WAITERS, 0, at.pc) &&
            blocked_waiter(key, t->tid, CC_TRACE_NO_THREAD, &s))
            report(CC_MISUSE_DESTROY_WITH_WAITERS, key,
                   mutex_lock(__atomic_load_n(&c->mutex, __ATOMIC_ACQUIRE)), cc_stack_here(at),
                   s.tid, cc_stack_intern(&s.pc, 1));
        errno = saved_errno;
        unbind(c);
    }
    cc_leave(t);
    return waiters;
}
