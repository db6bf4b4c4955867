/* The thread registry and thread lifecycle records.
 *
 * Rules:
 *  - The registry lock (a spinlock) guards the handle map, the free list and
 *    the lifecycle flags. It is taken on thread create/join/detach/exit only,
 *    never on a lock operation, and never across a call that can block.
 *  - A created thread waits in the trampoline until its creator has
 *    registered its handle (`published`): otherwise a join issued by another
 *    thread right after creation could miss it. It sleeps on a futex and
 *    does not spin: a child of a higher real-time priority than its creator
 *    would otherwise keep the creator off their CPU (sched_yield never
 *    yields to a lower priority) until the kernel's real-time throttling
 *    let it run, most of a second later.
 *  - A thread's state is recycled when it has finished and nobody will join
 *    it any more, so memory stays bounded however many threads come and go.
 *    The exiting thread drops its TLS pointer before that, and any call it
 *    makes afterwards (TSD destructors) passes straight through.
 *  - A handle that leaves the map (joined, or detached and finished) is
 *    remembered in a small ring until a new thread gets the same handle
 *    value, so a later join of it can be told apart from a join of a thread
 *    the runtime never saw: the map is always asked first, so a stale ring
 *    entry can never shadow a live thread. */
#include "thread.h"
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "misuse.h"
#include "notify.h"
#include "watchdog.h"
#include "stack.h"
#include "trace.h"

/* Exported, like cc_shadow_dir, cc_race_check_general and
 * cc_history_func_entry/exit, for libccheck-tsan.a (interpose/tsan_access.c),
 * which is linked into the program itself. */
CC_EXPORT __thread cc_thread_t *cc_current_thread __attribute__((tls_model("initial-exec")));
/* Set once a thread has written its exit record. */
static __thread bool thread_gone __attribute__((tls_model("initial-exec")));
CC_HIDDEN int cc_runtime_state;

enum { HANDLE_BUCKETS = 4096 };

typedef struct handle_entry {
    pthread_t handle;
    cc_thread_t *thread;
    struct handle_entry *next;
} handle_entry_t;

/* A thread nobody may join any more: joined (where), or detached (where, or
 * where it was created detached) and finished. */
enum { REAPED_RING = 64 };
typedef struct reaped {
    pthread_t handle;
    uint32_t tid;
    uint32_t stack;
    bool used;
    bool joined; /* else detached */
} reaped_t;

static struct {
    cc_spinlock_t lock;
    uint32_t next_tid;
    cc_thread_t *free_threads;
    handle_entry_t *free_entries;
    handle_entry_t *buckets[HANDLE_BUCKETS];
    cc_thread_t *live; /* list of live threads, through next_live */
    uint32_t starting; /* created, not yet in `live` (atomic) */
    reaped_t reaped[REAPED_RING];
    uint32_t next_reaped; /* the slot the next one overwrites */
} registry;

void cc_registry_fork_prepare(void) { cc_spin_lock(&registry.lock); }
void cc_registry_fork_release(void) { cc_spin_unlock(&registry.lock); }

static handle_entry_t **bucket_of(pthread_t handle)
{
    return &registry.buckets[cc_hash64((uint64_t)handle) & (HANDLE_BUCKETS - 1)];
}

/* Registry lock held. */
static void map_insert(pthread_t handle, cc_thread_t *t)
{
    handle_entry_t *e = registry.free_entries;
    if (e)
        registry.free_entries = e->next;
    else
        e = cc_alloc(sizeof *e);
    e->handle = handle;
    e->thread = t;
    e->next = *bucket_of(handle);
    *bucket_of(handle) = e;
}

/* Registry lock held. Removes and returns the thread registered for handle. */
static cc_thread_t *map_remove(pthread_t handle)
{
    for (handle_entry_t **p = bucket_of(handle); *p; p = &(*p)->next) {
        if ((*p)->handle != handle)
            continue;
        handle_entry_t *e = *p;
        cc_thread_t *t = e->thread;
        *p = e->next;
        e->next = registry.free_entries;
        registry.free_entries = e;
        return t;
    }
    return NULL;
}

static cc_thread_t *map_find(pthread_t handle)
{
    for (handle_entry_t *e = *bucket_of(handle); e; e = e->next)
        if (e->handle == handle)
            return e->thread;
    return NULL;
}

/* Registry lock held. */
static void reaped_add(pthread_t handle, uint32_t tid, uint32_t stack, bool joined)
{
    reaped_t *r = &registry.reaped[registry.next_reaped++ % REAPED_RING];
    *r = (reaped_t){.handle = handle, .tid = tid, .stack = stack, .used = true,
                    .joined = joined};
}

/* Registry lock held. A new thread has this handle now. */
static void reaped_forget(pthread_t handle)
{
    for (size_t i = 0; i < REAPED_RING; i++)
        if (registry.reaped[i].used && registry.reaped[i].handle == handle)
            registry.reaped[i].used = false;
}

/* Registry lock held. The newest entry for handle, or NULL. */
static const reaped_t *reaped_find(pthread_t handle)
{
    for (uint32_t i = 1; i <= REAPED_RING; i++) {
        const reaped_t *r = &registry.reaped[(registry.next_reaped - i) % REAPED_RING];
        if (r->used && r->handle == handle)
            return r;
    }
    return NULL;
}

uint32_t cc_thread_tid_of(pthread_t handle)
{
    cc_spin_lock(&registry.lock);
    cc_thread_t *t = map_find(handle);
    uint32_t tid = t ? t->tid : CC_TRACE_NO_THREAD;
    cc_spin_unlock(&registry.lock);
    return tid;
}

static cc_thread_t *thread_alloc(void)
{
    cc_spin_lock(&registry.lock);
    cc_thread_t *t = registry.free_threads;
    if (t)
        registry.free_threads = t->next_free;
    cc_spin_unlock(&registry.lock);
    if (!t)
        t = cc_alloc_aligned(sizeof *t, 64);
    /* Keep the memory a state owns for reuse: the lock-order memory (held
     * array, edge set) and the race shadow stack. The arena never frees,
     * so dropping them would leak with every thread. */
    cc_lock_order_thread_t locks = t->locks;
    uint64_t *shadow_stack = t->race.shadow_stack;
    uint32_t shadow_cap = t->race.shadow_cap;
    memset(t, 0, sizeof *t);
    t->locks = locks;
    cc_lock_order_thread_reset(&t->locks);
    t->race.shadow_stack = shadow_stack;
    t->race.shadow_cap = shadow_cap;
    t->tid = __atomic_fetch_add(&registry.next_tid, 1, __ATOMIC_RELAXED);
    return t;
}

/* Registry lock held. */
static void thread_free_locked(cc_thread_t *t)
{
    t->next_free = registry.free_threads;
    registry.free_threads = t;
}

static void write_start(cc_thread_t *t)
{
    cc_rec_thread_start_t rec;
    rec.os_tid = t->os_tid;
    rec.reserved = 0;
    cc_trace_write(CC_REC_THREAD_START, &rec.h, sizeof rec);
}

/* Registry lock held. */
static void live_insert(cc_thread_t *t)
{
    t->prev_live = NULL;
    t->next_live = registry.live;
    if (registry.live)
        registry.live->prev_live = t;
    registry.live = t;
}

/* Registry lock held. */
static void live_remove(cc_thread_t *t)
{
    if (t->prev_live)
        t->prev_live->next_live = t->next_live;
    else
        registry.live = t->next_live;
    if (t->next_live)
        t->next_live->prev_live = t->prev_live;
    t->next_live = t->prev_live = NULL;
}

uint32_t cc_threads_starting(void) { return __atomic_load_n(&registry.starting, __ATOMIC_ACQUIRE); }

void cc_threads_for_each(void (*fn)(cc_thread_t *t, void *ctx), void *ctx)
{
    cc_spin_lock(&registry.lock);
    for (cc_thread_t *t = registry.live; t; t = t->next_live)
        fn(t, ctx);
    cc_spin_unlock(&registry.lock);
}

/* Makes `t` the calling thread's state and writes its start record. */
static void adopt(cc_thread_t *t)
{
    t->os_tid = cc_gettid();
    cc_spin_lock(&registry.lock);
    live_insert(t);
    cc_spin_unlock(&registry.lock);
    cc_current_thread = t;
    t->guard = 1;
    write_start(t);
    /* Once race detection is on, a thread has a slot from its start (one
     * it was not created with: the main thread, or one not seen starting). */
    if (cc_race_on())
        cc_race_thread_ensure(t);
    t->guard = 0;
}

void cc_threads_init(void)
{
    adopt(thread_alloc()); /* the main thread: T0 */
}

cc_thread_t *cc_enter_slow(void)
{
    if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) != CC_RUNTIME_ON)
        return NULL;
    cc_thread_t *t = cc_current_thread;
    if (t)
        return NULL; /* re-entered from inside the runtime */
    if (thread_gone)
        return NULL;
    /* A thread we did not see start (created before the runtime was ready,
     * or by raw clone): register it now. It has no create record. */
    adopt(thread_alloc());
    t = cc_current_thread;
    t->guard = 1;
    return t;
}

void cc_threads_after_fork_child(void)
{
    /* Only the forking thread exists in the child. The other threads'
     * states are abandoned (they are in the arena, copied on write). */
    memset(registry.buckets, 0, sizeof registry.buckets);
    memset(registry.reaped, 0, sizeof registry.reaped);
    registry.free_entries = NULL;
    registry.free_threads = NULL;
    registry.live = NULL;
    registry.starting = 0;
    cc_thread_t *t = cc_current_thread;
    if (t) {
        live_insert(t);
        t->os_tid = cc_gettid();
        cc_lock_order_forget_edges(&t->locks);
        write_start(t);
    }
}

cc_thread_t *cc_thread_prepare(void *(*fn)(void *), void *arg, bool detached)
{
    cc_thread_t *child = thread_alloc();
    child->start_fn = fn;
    child->start_arg = arg;
    child->detached = detached;
    __atomic_fetch_add(&registry.starting, 1, __ATOMIC_ACQ_REL);
    return child;
}

void cc_thread_created(cc_thread_t *child, pthread_t handle,
                       uint64_t start_pc, uint32_t flags, cc_caller_t at)
{
    /* Before `published`: the child's first event must find its clock. */
    if (cc_race_on())
        cc_race_thread_created(cc_current_thread, child);
    cc_rec_thread_create_t rec;
    rec.child = child->tid;
    rec.flags = flags;
    rec.start_pc = start_pc;
    rec.create_stack = cc_stack_here(at);
    rec.reserved = 0;
    cc_trace_write(CC_REC_THREAD_CREATE, &rec.h, sizeof rec);

    cc_spin_lock(&registry.lock);
    child->self = handle;
    if (child->detached)
        child->detach_stack = rec.create_stack;
    map_insert(handle, child);
    reaped_forget(handle);
    cc_spin_unlock(&registry.lock);
    __atomic_store_n(&child->published, 1, __ATOMIC_RELEASE);
    /* The child may have run and ended by now; its state stays mapped (the
     * arena never unmaps), so at worst this wakes nobody. */
    int saved_errno = errno;
    syscall(SYS_futex, &child->published, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    errno = saved_errno;
}

void cc_thread_create_failed(cc_thread_t *child)
{
    __atomic_fetch_sub(&registry.starting, 1, __ATOMIC_ACQ_REL);
    cc_spin_lock(&registry.lock);
    thread_free_locked(child);
    cc_spin_unlock(&registry.lock);
}

static void exit_on_unwind(void *unused)
{
    (void)unused;
    cc_thread_exit(CC_EXIT_UNWOUND);
}

void *cc_thread_trampoline(void *arg)
{
    cc_thread_t *t = arg;
    int saved_errno = errno;
    while (!__atomic_load_n(&t->published, __ATOMIC_ACQUIRE))
        syscall(SYS_futex, &t->published, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    errno = saved_errno;
    adopt(t);
    __atomic_fetch_sub(&registry.starting, 1, __ATOMIC_ACQ_REL);
    if (cc_race_on()) {
        t->guard = 1;
        cc_race_thread_started(t);
        t->guard = 0;
    }
    void *result;
    /* pthread_exit and cancellation unwind through here. */
    pthread_cleanup_push(exit_on_unwind, NULL);
    if (t->c11_start_fn)
        result = (void *)(intptr_t)t->c11_start_fn(t->start_arg);
    else
        result = t->start_fn(t->start_arg);
    pthread_cleanup_pop(0);
    cc_thread_exit(CC_EXIT_RETURN);
    return result;
}

int cc_thread_trampoline_c11(void *child)
{
    /* glibc hands a C11 thread's int result back through the same slot. */
    return (int)(intptr_t)cc_thread_trampoline(child);
}

void cc_thread_exit(cc_thread_exit_how_t how)
{
    cc_thread_t *t = cc_current_thread;
    if (!t || t->exited || t->guard)
        return;
    t->guard = 1;
    if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) == CC_RUNTIME_ON) {
        cc_misuse_exit_holding(t);
        cc_cond_flush_missed(t); /* its last timed wait was not a poll */
        cc_rec_thread_exit_t rec;
        rec.how = t->exit_how ? t->exit_how : how;
        rec.held_locks = t->locks.n_held;
        cc_trace_write(CC_REC_THREAD_EXIT, &rec.h, sizeof rec);
    }
    /* Its exit clock, which a join acquires. */
    if (cc_race_on())
        cc_race_thread_exiting(t);
    t->exited = true;
    /* From here on this thread passes every call straight through. */
    thread_gone = true;
    cc_current_thread = NULL;

    cc_spin_lock(&registry.lock);
    live_remove(t);
    bool last = registry.live == NULL;
    t->finished = true;
    bool recycle = false;
    if (t->detached && map_remove(t->self) == t)
        recycle = true;
    if (recycle) {
        reaped_add(t->self, t->tid, t->detach_stack, false);
        if (cc_race_on())
            cc_race_thread_reaped(t);
        thread_free_locked(t);
    }
    cc_spin_unlock(&registry.lock);
    /* t may be reused by now: do not touch it. */
    if (last)
        cc_watchdog_stop();
}

/* Registry lock held. Live threads that are neither blocked nor finished. */
static size_t count_running(void)
{
    size_t n = 0;
    for (size_t b = 0; b < HANDLE_BUCKETS; b++)
        for (handle_entry_t *e = registry.buckets[b]; e; e = e->next)
            n += !e->thread->finished &&
                 __atomic_load_n(&e->thread->wait_kind, __ATOMIC_RELAXED) == CC_WAIT_NONE;
    return n;
}

void cc_threads_write_waiting(int grace_ms)
{
    uint64_t deadline = cc_monotonic_ns() + (uint64_t)grace_ms * 1000000u;
    for (;;) {
        cc_spin_lock(&registry.lock);
        size_t running = count_running();
        cc_spin_unlock(&registry.lock);
        if (running == 0 || cc_monotonic_ns() >= deadline)
            break;
        cc_sleep_ns(1000000);
    }
    cc_spin_lock(&registry.lock);
    /* Waits that missed their notification: pending timeouts, and threads
     * blocked in a condition wait for a signal that was lost. */
    for (cc_thread_t *t = registry.live; t; t = t->next_live) {
        cc_cond_flush_missed(t);
        cc_cond_check_blocked(t, CC_MISSED_AT_EXIT);
    }
    for (size_t b = 0; b < HANDLE_BUCKETS; b++) {
        for (handle_entry_t *e = registry.buckets[b]; e; e = e->next) {
            cc_thread_t *t = e->thread;
            uint32_t kind = __atomic_load_n(&t->wait_kind, __ATOMIC_RELAXED);
            if (t->finished || kind == CC_WAIT_NONE)
                continue;
            cc_rec_thread_waiting_t rec;
            rec.tid = t->tid;
            rec.kind = kind;
            rec.object = __atomic_load_n(&t->wait_object, __ATOMIC_RELAXED);
            cc_trace_write(CC_REC_THREAD_WAITING, &rec.h, sizeof rec);
        }
    }
    cc_spin_unlock(&registry.lock);
}

/* Writes a join or detach record naming target. */
static void write_target_record(cc_rec_type_t type, uint32_t target, uint32_t stack)
{
    cc_rec_thread_join_t rec; /* same layout as cc_rec_thread_detach_t */
    _Static_assert(sizeof(cc_rec_thread_join_t) == sizeof(cc_rec_thread_detach_t),
                   "join and detach records share a layout");
    rec.target = target;
    rec.stack = stack;
    cc_trace_write(type, &rec.h, sizeof rec);
}

void cc_thread_joining(pthread_t handle, cc_caller_t at)
{
    cc_misuse_kind_t kind = 0;
    uint32_t target = CC_TRACE_NO_THREAD, stack = CC_TRACE_NO_STACK;
    cc_spin_lock(&registry.lock);
    const cc_thread_t *child = map_find(handle);
    const reaped_t *gone = child ? NULL : reaped_find(handle);
    if (child && child->detached) {
        kind = CC_MISUSE_JOIN_DETACHED; /* still running: glibc says EINVAL */
        target = child->tid;
        stack = child->detach_stack;
    } else if (gone) {
        kind = gone->joined ? CC_MISUSE_DOUBLE_JOIN : CC_MISUSE_JOIN_DETACHED;
        target = gone->tid;
        stack = gone->stack;
    }
    cc_spin_unlock(&registry.lock);
    /* Outside the registry lock: the report unwinds and writes. */
    if (kind)
        cc_misuse_report(kind, (uint64_t)handle, target, stack, 0, at);
}

void cc_thread_joined(pthread_t handle, cc_caller_t at)
{
    /* The joiner's slot, if it has none yet, is made outside the registry
     * lock (it may ask glibc for its stack). */
    bool race = cc_race_on();
    if (race)
        cc_race_thread_ensure(cc_current_thread);
    cc_spin_lock(&registry.lock);
    cc_thread_t *child = map_remove(handle);
    uint32_t target = child ? child->tid : CC_TRACE_NO_THREAD;
    if (child) {
        child->reaped = true;
        /* The child's state may be reused as soon as it is freed: its exit
         * clock is acquired, and its slot given back, before that. */
        if (race) {
            cc_race_thread_joined(cc_current_thread, child);
            cc_race_thread_reaped(child);
        }
        /* The real join returned, so the child is gone; if its exit path
         * was not seen its state is leaked rather than risked. */
        if (child->finished)
            thread_free_locked(child);
    }
    cc_spin_unlock(&registry.lock);
    if (target == CC_TRACE_NO_THREAD)
        return;
    uint32_t stack = cc_stack_here(at);
    write_target_record(CC_REC_THREAD_JOIN, target, stack);
    /* A thread created meanwhile with this handle has forgotten it
     * already; the entry added now is then shadowed by the map. */
    cc_spin_lock(&registry.lock);
    reaped_add(handle, target, stack, true);
    cc_spin_unlock(&registry.lock);
}

void cc_thread_detached(pthread_t handle, cc_caller_t at)
{
    if (cc_thread_tid_of(handle) == CC_TRACE_NO_THREAD)
        return; /* a thread the runtime never saw start */
    /* Unwound before the lock: a later join-detached names this stack. */
    uint32_t stack = cc_stack_here(at);
    cc_spin_lock(&registry.lock);
    cc_thread_t *child = map_find(handle);
    uint32_t target = child ? child->tid : CC_TRACE_NO_THREAD;
    if (child) {
        child->detached = true;
        child->detach_stack = stack;
        if (child->finished) {
            map_remove(handle);
            reaped_add(handle, child->tid, stack, false);
            if (cc_race_on())
                cc_race_thread_reaped(child);
            thread_free_locked(child);
        }
    }
    cc_spin_unlock(&registry.lock);
    if (target != CC_TRACE_NO_THREAD)
        write_target_record(CC_REC_THREAD_DETACH, target, stack);
}
