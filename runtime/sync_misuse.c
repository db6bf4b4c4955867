/* Misuse of semaphores and barriers. See sync_misuse.h.
 *
 * Rules:
 *  - As for locks (misuse.h), a report needs the runtime's witness, and the
 *    object's own memory (glibc 2.36, x86-64) may only hold it back: a
 *    destroy-with-waiters needs a thread the runtime sees blocked on the
 *    object *and* memory that says a waiter is still inside (a semaphore's
 *    waiter count, a barrier's unfinished round), so a waiter that was
 *    released but has not returned yet (a barrier's round that just
 *    completed, the legal "destroy right after the last wait") is never
 *    taken for one still blocked.
 *  - The one exception is a semaphore the runtime never saw initialised:
 *    its memory is the only witness, and only values that no sem_init or
 *    sem_open can leave count (see "never initialised").
 *  - The other threads' wait state is read under the registry lock as a
 *    snapshot (cc_threads_for_each); stacks are interned after it. */
#include "sync_misuse.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "lock_table.h"
#include "misuse.h"
#include "stack.h"
#include "thread.h"

/* ---- what the memory says ------------------------------------------------- */

/* glibc's struct new_sem with 64-bit atomics (nptl/semaphoreP.h): the value
 * in the low 32 bits of `data`, the number of blocked waiters in the high
 * 32; `private` is FUTEX_PRIVATE (0) or FUTEX_SHARED (128) from sem_init,
 * FUTEX_SHARED from sem_open, and nothing else ever writes it. */
typedef struct glibc_sem {
    uint64_t data;
    int private_flag;
    int pad; /* never written: anything */
} glibc_sem_t;
_Static_assert(sizeof(sem_t) == 32 && sizeof(glibc_sem_t) <= sizeof(sem_t),
               "glibc's x86-64 sem_t");
enum { SEM_WAITERS_SHIFT = 32, FUTEX_PRIVATE_FLAG_ = 128 };
/* The kernel's PID_MAX_LIMIT on 64-bit: no more tasks can ever wait. */
enum { MAX_TASKS = 4 * 1024 * 1024 };

/* glibc's struct pthread_barrier (nptl/pthreadP.h): `in` counts arrivals,
 * `current_round` the arrivals of the rounds that completed (both go back
 * to 0 together at a reset). */
typedef struct glibc_barrier {
    unsigned in;
    unsigned current_round;
    unsigned count;
    int shared;
    unsigned out;
} glibc_barrier_t;
_Static_assert(sizeof(glibc_barrier_t) <= sizeof(pthread_barrier_t), "glibc's pthread_barrier_t");

/* The program has just passed sem to a call, so it is mapped. `data`
 * changes under us (posts, waits); `private` never does. */
static glibc_sem_t read_sem(const void *sem)
{
    glibc_sem_t s;
    s.data = __atomic_load_n((const uint64_t *)sem, __ATOMIC_RELAXED);
    memcpy(&s.private_flag, (const char *)sem + offsetof(glibc_sem_t, private_flag),
           sizeof s.private_flag);
    s.pad = 0;
    return s;
}

static uint32_t sem_waiters(const glibc_sem_t *s)
{
    return (uint32_t)(s->data >> SEM_WAITERS_SHIFT);
}

/* ---- never initialised ----------------------------------------------------- */

/* What no sem_init or sem_open leaves, and no post or wait makes: a
 * `private` other than 0 or 128, a value above SEM_VALUE_MAX (init and post
 * refuse to go there), more waiters than there can be tasks. Zeroed memory
 * is a valid process-shared semaphore of value 0 and is not reported, nor
 * is anything in `pad` or the 16 bytes after it, which sem_init never
 * writes. */
static bool sem_never_initialised(const void *sem)
{
    glibc_sem_t s = read_sem(sem);
    return (s.private_flag != 0 && s.private_flag != FUTEX_PRIVATE_FLAG_) ||
           (uint32_t)s.data > (uint32_t)SEM_VALUE_MAX || sem_waiters(&s) > MAX_TASKS;
}

/* ---- who waits on it -------------------------------------------------------- */

typedef struct waiter_search {
    const cc_thread_t *self;
    uint32_t kind; /* cc_wait_kind_t */
    uint64_t object;
    bool found;
    uint32_t tid;
    uint64_t pc; /* its blocking call */
} waiter_search_t;

/* Registry lock held; another thread's state, read as a snapshot: the
 * wait kind first (acquire), then what was stored before it. */
static void find_waiter(cc_thread_t *t, void *ctx)
{
    waiter_search_t *s = ctx;
    if (s->found || t == s->self)
        return;
    if (__atomic_load_n(&t->wait_kind, __ATOMIC_ACQUIRE) != s->kind ||
        __atomic_load_n(&t->wait_object, __ATOMIC_RELAXED) != s->object)
        return;
    s->found = true;
    s->tid = t->tid;
    s->pc = t->wait_at.pc;
}

/* A live thread other than the caller that is blocked in `kind` on object. */
static bool search_waiter(waiter_search_t *s, const cc_thread_t *self, cc_wait_kind_t kind,
                          const void *object)
{
    memset(s, 0, sizeof *s);
    s->self = self;
    s->kind = kind;
    s->object = (uint64_t)(uintptr_t)object;
    cc_threads_for_each(find_waiter, s);
    return s->found;
}

/* destroy-with-waiters, naming the waiter and its blocking call (one frame:
 * the waiter's own stack cannot be unwound from here). The record's
 * `result` is what the waiter waits in (CC_WAIT_SEM, CC_WAIT_BARRIER): it
 * tells the analyzer what the object is (a condition variable's record,
 * from runtime/notify.c, has 0 there). */
static void report_waiter(const waiter_search_t *s, cc_caller_t at)
{
    cc_misuse_report(CC_MISUSE_DESTROY_WITH_WAITERS, s->object, s->tid,
                     cc_stack_intern(&s->pc, 1), (int32_t)s->kind, at);
}

/* ---- semaphores ------------------------------------------------------------- */

/* sem-invalid: a semaphore the table saw destroyed (and not made again
 * since), named with its destroy; else one whose memory no initialisation
 * leaves. A live instance in the table is never judged by its memory. */
static void check_use(void *sem, cc_caller_t at)
{
    uint64_t key = (uint64_t)(uintptr_t)sem;
    cc_lock_t *l = cc_lock_find(key);
    bool is_sem = l && __atomic_load_n(&l->kind, __ATOMIC_RELAXED) == CC_LOCK_SEM;
    if (is_sem && __atomic_load_n(&l->id, __ATOMIC_RELAXED) != 0)
        return;
    if (is_sem) {
        uint64_t pc = __atomic_load_n(&l->destroy_pc, __ATOMIC_RELAXED);
        cc_misuse_report(CC_MISUSE_SEM_INVALID, key,
                         pc ? __atomic_load_n(&l->destroy_tid, __ATOMIC_RELAXED)
                            : CC_TRACE_NO_THREAD,
                         pc ? cc_stack_intern(&pc, 1) : CC_TRACE_NO_STACK, 0, at);
    } else if (sem_never_initialised(sem)) {
        cc_misuse_report(CC_MISUSE_SEM_INVALID, key, CC_TRACE_NO_THREAD, CC_TRACE_NO_STACK, 0,
                         at);
    }
}

void cc_sem_check_use(void *sem, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    check_use(sem, at);
    cc_leave(t);
}

void cc_sem_destroying(void *sem, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    uint64_t key = (uint64_t)(uintptr_t)sem;
    check_use(sem, at);
    /* glibc's sem_destroy does nothing: a waiter goes on waiting (or
     * touches freed memory) after it. The memory is asked first, so the
     * common destroy scans no thread. */
    glibc_sem_t mem = read_sem(sem);
    waiter_search_t s;
    if (sem_waiters(&mem) > 0 && search_waiter(&s, t, CC_WAIT_SEM, sem))
        report_waiter(&s, at);
    cc_lock_t *l = cc_lock_find(key);
    if (l && __atomic_load_n(&l->kind, __ATOMIC_RELAXED) == CC_LOCK_SEM &&
        __atomic_load_n(&l->id, __ATOMIC_RELAXED) != 0) {
        /* Before the id goes: a use seeing id 0 finds where. */
        __atomic_store_n(&l->destroy_pc, at.pc, __ATOMIC_RELAXED);
        __atomic_store_n(&l->destroy_tid, t->tid, __ATOMIC_RELAXED);
        cc_lock_destroyed(key);
    }
    cc_leave(t);
}

void cc_sem_opened(void *sem, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *l = cc_lock_initialized((uint64_t)(uintptr_t)sem, CC_LOCK_SEM, at.pc);
    __atomic_store_n(&l->sem_signals, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->sem_permits, CC_SEM_PERMITS_UNKNOWN, __ATOMIC_RELAXED);
    cc_leave(t);
}

void cc_sem_posted(void *sem, int rc, cc_caller_t at)
{
    int err = errno; /* the real post's, before anything else runs */
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    uint64_t key = (uint64_t)(uintptr_t)sem;
    if (rc != 0 && err == EOVERFLOW) {
        /* The value was SEM_VALUE_MAX already: this post is lost. */
        cc_misuse_report(CC_MISUSE_SEM_OVERFLOW, key, CC_TRACE_NO_THREAD, CC_TRACE_NO_STACK,
                         EOVERFLOW, at);
    } else if (rc == 0 && cc_opt.bounded_semaphore) {
        /* Read after the post, not with it: a wait in between hides an
         * excess (a missed report), and a post by another thread in
         * between can make this one the post seen above the bound. Either
         * way the value read was the semaphore's at some moment, so a
         * semaphore that never exceeded its bound is never reported. */
        cc_lock_t *l = cc_lock_find(key);
        uint32_t permits = l ? __atomic_load_n(&l->sem_permits, __ATOMIC_RELAXED) : 0;
        int value = 0;
        if (l && __atomic_load_n(&l->kind, __ATOMIC_RELAXED) == CC_LOCK_SEM &&
            __atomic_load_n(&l->id, __ATOMIC_RELAXED) != 0 && permits != 0 &&
            permits != CC_SEM_PERMITS_UNKNOWN && sem_getvalue(sem, &value) == 0 &&
            (uint32_t)value > permits) {
            /* `result`: the value seen; the lock record says where the
             * semaphore was initialised. */
            cc_misuse_report(CC_MISUSE_SEM_BOUND, key, CC_TRACE_NO_THREAD, CC_TRACE_NO_STACK,
                             value, at);
        }
    }
    errno = err;
    cc_leave(t);
}

/* ---- barriers --------------------------------------------------------------- */

bool cc_barrier_destroying(void *barrier, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return false;
    /* An unfinished round: arrivals that no completed round counts.
     * Threads of a round that just completed may still be on their way
     * out (in == current_round then): glibc's destroy waits for them,
     * briefly, and that is legal. */
    const glibc_barrier_t *b = barrier;
    unsigned in = __atomic_load_n(&b->in, __ATOMIC_RELAXED);
    unsigned round = __atomic_load_n(&b->current_round, __ATOMIC_RELAXED);
    waiter_search_t s;
    if (in != round && search_waiter(&s, t, CC_WAIT_BARRIER, barrier))
        report_waiter(&s, at);
    cc_leave(t);
    return in != round;
}
