/* Per-thread runtime state and the reentrancy guard.
 *
 * Rules:
 *  - A thread's cc_thread_t is reached through initial-exec TLS: no
 *    allocation, no lock, on every interposed call.
 *  - Runtime work happens between cc_enter() and cc_leave(). While inside,
 *    any interposed call this thread makes (libunwind taking a mutex, say)
 *    goes straight to the real function. The guard is never held across a
 *    real call that can run program code (pthread_once, pthread_exit,
 *    dlopen, ...), so the program's own calls from there are still seen.
 *  - cc_enter() returns NULL when the runtime must stay out: before it is
 *    initialised, after the process-end record, on a thread that has already
 *    written its exit record, or when re-entered. */
#ifndef CC_THREAD_H
#define CC_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "lock_order.h"
#include "race/race.h"
#include "util.h"

typedef struct cc_thread {
    uint32_t tid;    /* ccheck thread id; 0 is the main thread */
    uint32_t os_tid;
    int guard;       /* nonzero while this thread is inside the runtime */
    uint32_t exit_how; /* cc_thread_exit_how_t set by pthread_exit */
    uint32_t exit_stack; /* where pthread_exit was called, if it held locks */
    bool exited;     /* its exit record is written */
    /* What it is blocked in (cc_wait_kind_t) and on, since when and where:
     * read by the watchdog and at process end from other threads, so
     * wait_kind is stored last (release) and read first (acquire). */
    uint32_t wait_kind;
    bool wait_timed;      /* the wait has a deadline: it ends by itself */
    uint64_t wait_object;
    uint64_t wait_since;  /* monotonic ns */
    cc_caller_t wait_at;  /* the blocking call */
    /* The watchdog's request for this thread's stack, answered from a
     * signal handler on this thread (see runtime/watchdog.c). */
    uint32_t stack_request; /* request number the watchdog is waiting for */
    uint32_t stack_answer;  /* last request answered */
    uint32_t wait_stack;    /* the stack of the blocking call, once asked */
    /* Condition waits (runtime/notify.c): the signal count when the current
     * wait began, and a timed-out wait that may have missed its signal,
     * kept until the thread shows whether it was only polling. */
    uint64_t cond_wait_signals;
    bool cond_first_wait; /* the current wait is its first on that cond */
    struct {
        bool pending;
        uint64_t cond, site;
        cc_rec_missed_signal_t record;
        uint64_t poll_cond, poll_site; /* a wait known to be a poll */
    } missed;
    /* Its scheduling (CC_SCHED_PACK) as last read for priority-inversion
     * (prio_inversion.c), with the sched-change count and the time then. */
    uint32_t sched;
    uint32_t sched_changes;
    uint64_t sched_read_ns;
    cc_lock_order_thread_t locks;
    cc_race_thread_t race; /* data races (runtime/race/), once enabled */

    /* Lifecycle, guarded by the registry lock. */
    pthread_t self;
    bool detached;
    bool finished;    /* the thread has run its exit path */
    bool reaped;      /* joined, or detached: nobody will join it */
    uint32_t detach_stack; /* where it was detached (created detached: created) */
    int published; /* the creator registered it; see trampoline */
    void *(*start_fn)(void *);   /* pthread_create's start routine, or */
    int (*c11_start_fn)(void *); /* thrd_create's */
    void *start_arg;
    struct cc_thread *next_free;
    struct cc_thread *next_live, *prev_live; /* every thread with runtime state */
} cc_thread_t;

extern __thread cc_thread_t *cc_current_thread __attribute__((tls_model("initial-exec")));
extern int cc_runtime_state; /* cc_runtime_state_t */

typedef enum cc_runtime_state {
    CC_RUNTIME_OFF = 0,     /* not initialised yet, or disabled */
    CC_RUNTIME_ON = 1,
} cc_runtime_state_t;

cc_thread_t *cc_enter_slow(void);

static inline cc_thread_t *cc_enter(void)
{
    cc_thread_t *t = cc_current_thread;
    if (CC_LIKELY(t != NULL && t->guard == 0 &&
                  __atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) == CC_RUNTIME_ON)) {
        t->guard = 1;
        return t;
    }
    return cc_enter_slow();
}

static inline void cc_leave(cc_thread_t *t) { t->guard = 0; }

/* The main (or first-seen) thread, registered by the constructor. */
void cc_threads_init(void);
/* After fork, in the child: only the calling thread survives. */
void cc_threads_after_fork_child(void);

/* Thread lifecycle, called by the interposers (inside cc_enter/cc_leave
 * unless said otherwise). */
cc_thread_t *cc_thread_prepare(void *(*fn)(void *), void *arg, bool detached);
void cc_thread_created(cc_thread_t *child, pthread_t handle,
                       uint64_t start_pc, uint32_t flags, cc_caller_t at);
void cc_thread_create_failed(cc_thread_t *child);
/* The start routine every created thread runs first (the C11 one returns
 * thrd_create's int). */
void *cc_thread_trampoline(void *child);
int cc_thread_trampoline_c11(void *child);
/* Started through a trampoline, so its exit record comes from there. */
static inline bool cc_thread_has_trampoline(const cc_thread_t *t)
{
    return t->start_fn != NULL || t->c11_start_fn != NULL;
}
/* Before any join call: a join of a thread already joined (double-join)
 * or detached (join-detached) is reported before the real call, since
 * glibc's behaviour then is undefined (it may crash, or join another
 * thread that reuses the handle). Never changes what the call does. */
void cc_thread_joining(pthread_t handle, cc_caller_t at);
void cc_thread_joined(pthread_t handle, cc_caller_t at);
void cc_thread_detached(pthread_t handle, cc_caller_t at);
/* The watchdog's side of a wait (runtime/watchdog.c): counts blocked
 * threads and wakes (or starts) the watchdog when the first one blocks. */
void cc_watchdog_blocked(void);
void cc_watchdog_unblocked(void);

/* Marks the current thread as blocked in `kind` on `object` from `at`
 * until cc_wait_end. Only on paths that are about to block anyway (a
 * contended lock, a condition wait, a join), never the uncontended path.
 * Touches no errno and takes no lock. */
static inline void cc_wait_begin(cc_wait_kind_t kind, const void *object, bool timed,
                                 cc_caller_t at)
{
    cc_thread_t *t = cc_current_thread;
    if (!t || t->guard)
        return;
    t->wait_timed = timed;
    t->wait_at = at;
    t->wait_since = cc_monotonic_ns();
    __atomic_store_n(&t->wait_object, (uint64_t)(uintptr_t)object, __ATOMIC_RELAXED);
    __atomic_store_n(&t->wait_kind, (uint32_t)kind, __ATOMIC_RELEASE);
    cc_watchdog_blocked();
}

static inline void cc_wait_end(void)
{
    cc_thread_t *t = cc_current_thread;
    if (t && __atomic_load_n(&t->wait_kind, __ATOMIC_RELAXED) != CC_WAIT_NONE) {
        __atomic_store_n(&t->wait_kind, (uint32_t)CC_WAIT_NONE, __ATOMIC_RELEASE);
        cc_watchdog_unblocked();
    }
}

/* The ccheck thread id of the thread whose handle this is, or
 * CC_TRACE_NO_THREAD. */
uint32_t cc_thread_tid_of(pthread_t handle);

/* Calls fn for every live thread (those with runtime state, the caller
 * included) with the registry lock held: fn must be short, must not block
 * and must not create or end threads. Other threads' held-lock stacks may
 * change under fn; read them as a snapshot that can be stale. */
void cc_threads_for_each(void (*fn)(cc_thread_t *t, void *ctx), void *ctx);

/* Threads created and not yet started: not in the live list yet, but
 * about to run. */
uint32_t cc_threads_starting(void);

/* Waits up to grace_ms for every live thread to be blocked or finished.
 * Then writes a waiting record for every live thread that is blocked.
 * Takes the registry lock: not from a signal handler. */
void cc_threads_write_waiting(int grace_ms);

/* Writes the exit record once. Called on the exiting thread, outside the
 * guard; leaves the thread with no runtime state. */
void cc_thread_exit(cc_thread_exit_how_t how);

#endif
