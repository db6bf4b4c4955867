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
 * Rules: all of this runs inside the runtime (guard held) on condition-
 * variable calls only, never on a lock path. The counters are atomic; the
 * lost-signal fields may be read torn by a racing signaller, which can only
 * blur a report's details. A full stack is unwound for a lost signal only
 * the first time it comes from a given call site. */
#include "notify.h"

#include <string.h>

#include "lock_table.h"
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
    uint64_t mutex;       /* the mutex its waiters use */
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
        __atomic_store_n(&c->lost_at, n, __ATOMIC_RELEASE);
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

void cc_cond_wait_begin(void *addr, void *mutex, cc_caller_t at)
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
    __atomic_store_n(&c->mutex, (uint64_t)(uintptr_t)mutex, __ATOMIC_RELAXED);
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
