/* Happens-before: threads' HB slots and vector clocks, and release and
 * acquire on synchronising addresses (the clocks of those live in sync.c).
 *
 * Epochs. t->race.epoch is the thread's own clock; t->race.clock holds what
 * it knows of every slot, its own entry at most its epoch. A release first
 * publishes the epoch into the own entry, joins the clock into the object's
 * and then moves the epoch on, so that every later event is after what the
 * object now holds. An acquire joins the object's clock into the thread's.
 * A thread's exit publishes its epoch the same way, and its clock, frozen
 * from then on, is what a join acquires (the exit clock).
 *
 * Sync objects' own memory. As under TSan, an init or destroy writes the
 * object's first byte and every use reads it (cc_race_hook_access and the
 * CC_RACE_HOOK_READ flags), placed against the object's own edge so that
 * the edge covers what it truly orders and no more: reads go before an
 * acquire and before a release (a condition signal's after its release,
 * see race.h).
 *
 * Slots. A table of CC_RACE_MAX_SLOTS entries; a slot goes back to a FIFO
 * free queue when its thread is reaped (finished and joined, or detached
 * and finished), and the next owner continues the slot's clock above the
 * last epoch any earlier owner used, so an earlier owner's accesses are
 * never mistaken for the new owner's. Each slot keeps its last few owners
 * (tid, first epoch) to name the thread of an old access, and its event
 * ring (history.c), which outlives owners.
 *
 * Rules:
 *  - Everything here runs inside the guard, on the thread named (or, for
 *    thread creation and join, on the creator and the joiner, which own
 *    the child's and read the finished target's state).
 *  - Locks: the slot table's lock only on thread create, reap and fork;
 *    per-slot locks for owners and history; the acquire and release paths
 *    take only the sync object's lock. Order: registry -> slot table ->
 *    (fd.c's leaf locks, taken together only around fork) -> slot ->
 *    (sync.c's locks) -> vclock classes.
 *  - The hooks the interposers call keep errno. */
#include "race.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "shadow.h"
#include "sync.h"
#include "thread.h"

CC_HIDDEN int cc_race_enabled;

enum {
    OWNERS = 4,                /* earlier owners a slot remembers */
    GAVE_UP = UINT32_MAX,      /* t->race.slot of a thread no slot was free for */
};

typedef struct slot {
    cc_spinlock_t lock; /* owners, history */
    bool used;
    uint32_t n_owners;  /* owners ever; owners[] is a ring */
    uint64_t last_epoch; /* the highest epoch an owner used */
    cc_thread_t *owner;
    cc_race_history_t *history;
    struct {
        uint32_t tid;
        uint64_t first_epoch;
    } owners[OWNERS];
} slot_t;

static struct {
    cc_spinlock_t lock;        /* the free queue and the high-water mark */
    cc_spinlock_t enable_lock; /* one cc_race_enable at a time */
    slot_t *slots;             /* set once, never moves */
    uint32_t *free_queue;      /* ring of CC_RACE_MAX_SLOTS */
    uint32_t queue_head, queue_len;
    uint32_t high; /* slots [0, high) were handed out at least once */
} hb;

/* The calling thread's pending pthread_once / call_once routine. */
static __thread struct {
    const void *control;
    void (*init)(void);
} once_pending __attribute__((tls_model("initial-exec")));

/* ---- slots ------------------------------------------------------------------ */

static slot_t *slots_get(void) { return __atomic_load_n(&hb.slots, __ATOMIC_ACQUIRE); }

/* hb.lock held. */
static void slots_map(void)
{
    if (hb.slots)
        return;
    hb.free_queue = cc_map(CC_RACE_MAX_SLOTS * sizeof *hb.free_queue);
    hb.high = CC_RACE_NO_SLOT + 1;
    __atomic_store_n(&hb.slots, cc_map(CC_RACE_MAX_SLOTS * sizeof(slot_t)), __ATOMIC_RELEASE);
}

/* hb.lock held. */
static void queue_push(uint32_t slot)
{
    hb.free_queue[(hb.queue_head + hb.queue_len++) % CC_RACE_MAX_SLOTS] = slot;
}

/* Gives t a slot: its number, its first epoch and its ring. The clock is
 * the caller's to fill; t is not active yet. False if none is free. */
static bool slot_take(cc_thread_t *t)
{
    cc_spin_lock(&hb.lock);
    slots_map();
    uint32_t s;
    if (hb.queue_len) {
        s = hb.free_queue[hb.queue_head];
        hb.queue_head = (hb.queue_head + 1) % CC_RACE_MAX_SLOTS;
        hb.queue_len--;
    } else if (hb.high < CC_RACE_MAX_SLOTS) {
        s = hb.high++;
    } else {
        cc_spin_unlock(&hb.lock);
        t->race.slot = GAVE_UP;
        return false;
    }
    slot_t *e = &hb.slots[s];
    cc_spin_lock(&e->lock);
    uint64_t first = e->last_epoch + 1;
    e->used = true;
    e->owner = t;
    e->owners[e->n_owners % OWNERS].tid = t->tid;
    e->owners[e->n_owners % OWNERS].first_epoch = first;
    e->n_owners++;
    cc_spin_unlock(&e->lock);
    cc_spin_unlock(&hb.lock);
    t->race.slot = s;
    t->race.own_bits = (uint64_t)s << CC_DESC_SLOT_SHIFT;
    t->race.published = 0;
    t->race.epoch = first;
    t->race.history = cc_race_slot_history(s);
    return true;
}

/* hb.lock held. The slot's owner is gone: its next owner starts above
 * `epoch`. */
static void slot_give_back(uint32_t s, uint64_t epoch)
{
    slot_t *e = &hb.slots[s];
    cc_spin_lock(&e->lock);
    if (epoch > e->last_epoch)
        e->last_epoch = epoch;
    e->owner = NULL;
    e->used = false;
    cc_spin_unlock(&e->lock);
    queue_push(s);
}

cc_race_history_t *cc_race_slot_history(uint32_t slot)
{
    slot_t *slots = slots_get();
    if (!slots || slot >= CC_RACE_MAX_SLOTS)
        return NULL;
    slot_t *e = &slots[slot];
    cc_race_history_t *h = __atomic_load_n(&e->history, __ATOMIC_ACQUIRE);
    if (h)
        return h;
    cc_spin_lock(&e->lock);
    h = e->history;
    if (!h) {
        h = cc_race_history_new();
        __atomic_store_n(&e->history, h, __ATOMIC_RELEASE);
    }
    cc_spin_unlock(&e->lock);
    return h;
}

uint32_t cc_race_slot_tid(uint32_t slot, uint64_t epoch)
{
    slot_t *slots = slots_get();
    if (!slots || slot >= CC_RACE_MAX_SLOTS || epoch == 0)
        return CC_TRACE_NO_THREAD;
    slot_t *e = &slots[slot];
    uint32_t tid = CC_TRACE_NO_THREAD;
    cc_spin_lock(&e->lock);
    /* Newest first: the owner that started at or before epoch. Past the
     * ring, the owner is forgotten. */
    uint32_t kept = e->n_owners < OWNERS ? e->n_owners : OWNERS;
    for (uint32_t i = 1; i <= kept; i++) {
        uint32_t at = (e->n_owners - i) % OWNERS;
        if (e->owners[at].first_epoch <= epoch) {
            tid = e->owners[at].tid;
            break;
        }
    }
    cc_spin_unlock(&e->lock);
    return tid;
}

/* ---- threads ------------------------------------------------------------------ */

/* What a view of r holds (race.h). `older` first: a signal handler on the
 * thread that finds `own` set must find `older` right too (publish only
 * changes `older`, with one store). */
static inline void view_fill(cc_race_view_t *view, const cc_race_thread_t *r)
{
    view->older = ((r->published + 1) << CC_DESC_EPOCH_SHIFT) - 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    view->own = r->own_bits | CC_DESC_BYTES;
}

/* The own entry of t's clock takes its epoch (when t gets its slot, and
 * before each release), and so do its copies for the inline check. */
static inline void publish(cc_thread_t *t)
{
    cc_race_thread_t *r = &t->race;
    if (CC_LIKELY(r->slot < r->clock.n))
        r->clock.c[r->slot] = r->epoch;
    else
        cc_vclock_set(&r->clock, r->slot, r->epoch);
    r->published = r->epoch;
    for (uint32_t i = 0; i < r->n_views; i++)
        view_fill(r->views[i], r);
}

bool cc_race_view_attach(cc_thread_t *t, cc_race_view_t *view)
{
    cc_race_thread_t *r = &t->race;
    if (r->n_views == CC_RACE_VIEWS)
        return false;
    view_fill(view, r);
    /* A signal handler on this thread reads the view: complete first. */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    view->thread = t;
    r->views[r->n_views++] = view;
    return true;
}

/* On the thread itself, before its state can go: the views live in its
 * TLS, and must not name a state that is reused. */
static void views_detach(cc_thread_t *t)
{
    cc_race_thread_t *r = &t->race;
    for (uint32_t i = 0; i < r->n_views; i++) {
        cc_race_view_t *view = r->views[i];
        view->own = 0; /* first: see view_fill */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        view->older = 0;
        view->thread = NULL;
    }
    r->n_views = 0;
}

/* t has a slot; its clock knows only its own first epoch. */
static void activate_alone(cc_thread_t *t)
{
    publish(t);
    __atomic_store_n(&t->race.active, true, __ATOMIC_RELEASE);
}

/* The bounds of the calling thread's stack. glibc's pthread_getattr_np may
 * allocate (and for the main thread read /proc/self/maps with stdio): it
 * runs inside the guard, so those calls pass straight through. Unknown
 * bounds are stored as the empty range [1, 1), so they are asked once. */
static void learn_stack(cc_thread_t *t)
{
    int saved_errno = errno;
    uint64_t lo = 1, hi = 1;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            lo = (uint64_t)(uintptr_t)addr;
            hi = lo + size;
        }
        pthread_attr_destroy(&attr);
    }
    t->race.stack_lo = lo;
    t->race.stack_hi = hi;
    errno = saved_errno;
}

bool cc_race_thread_ensure(cc_thread_t *t)
{
    if (CC_UNLIKELY(!t->race.active)) {
        if (t->race.slot == GAVE_UP || !slot_take(t))
            return false;
        activate_alone(t);
    }
    if (CC_UNLIKELY(t->race.stack_hi == 0))
        learn_stack(t);
    return true;
}

static inline bool ready(cc_thread_t *t)
{
    return CC_LIKELY(t->race.active) || cc_race_thread_ensure(t);
}

/* Registry lock held: t is live and may be running, but it reads its race
 * state only once cc_race_enabled is set, after this. */
static void enable_thread(cc_thread_t *t, void *unused)
{
    (void)unused;
    if (!t->race.active && t->race.slot != GAVE_UP && slot_take(t))
        activate_alone(t);
}

void cc_race_enable(void)
{
    if (cc_race_on())
        return;
    cc_spin_lock(&hb.enable_lock);
    if (!__atomic_load_n(&cc_race_enabled, __ATOMIC_RELAXED)) {
        cc_threads_for_each(enable_thread, NULL);
        __atomic_store_n(&cc_race_enabled, 1, __ATOMIC_RELEASE);
    }
    cc_spin_unlock(&hb.enable_lock);
    /* The caller's stack now, outside the registry lock (the others learn
     * theirs at their first hook). */
    cc_thread_t *t = cc_current_thread;
    if (t && t->race.active && t->race.stack_hi == 0) {
        int guard = t->guard;
        t->guard = 1;
        learn_stack(t);
        t->guard = guard;
    }
}

void cc_race_thread_created(cc_thread_t *parent, cc_thread_t *child)
{
    /* A parent with no slot (none free) leaves the child to get one at its
     * first event, knowing nothing. */
    if (!ready(parent) || !slot_take(child))
        return;
    publish(parent);
    cc_vclock_assign(&child->race.clock, &parent->race.clock);
    publish(child);
    parent->race.epoch++;
    /* The child runs only once its creator publishes it (runtime/thread.c),
     * which orders these stores before its first read. */
    child->race.active = true;
}

void cc_race_thread_started(cc_thread_t *t)
{
    if (!cc_race_thread_ensure(t))
        return;
    /* The stack may be a finished thread's, reused by glibc: it starts
     * clean. */
    if (t->race.stack_hi > t->race.stack_lo)
        cc_race_shadow_reset(t->race.stack_lo, t->race.stack_hi - t->race.stack_lo);
}

void cc_race_thread_exiting(cc_thread_t *t)
{
    views_detach(t);
    if (!t->race.active)
        return;
    publish(t);
    t->race.epoch++;
}

void cc_race_thread_joined(cc_thread_t *joiner, cc_thread_t *target)
{
    if (!joiner->race.active || !target->race.active)
        return;
    cc_vclock_join(&joiner->race.clock, &target->race.clock);
    /* Also when the target's exit was not seen: it is gone, so all its
     * events are before the join. */
    if (cc_vclock_get(&joiner->race.clock, target->race.slot) < target->race.epoch)
        cc_vclock_set(&joiner->race.clock, target->race.slot, target->race.epoch);
}

void cc_race_thread_reaped(cc_thread_t *target)
{
    if (!target->race.active)
        return;
    cc_spin_lock(&hb.lock);
    slot_give_back(target->race.slot, target->race.epoch);
    cc_spin_unlock(&hb.lock);
    cc_vclock_free(&target->race.clock);
    target->race.published = 0;
    target->race.history = NULL;
    target->race.active = false;
}

/* ---- release and acquire ------------------------------------------------------ */

enum { MAIN_CLOCK = 1u << CC_SYNC_MAIN, READ_CLOCK = 1u << CC_SYNC_READ };

static void release_clocks(cc_thread_t *t, uint64_t object, unsigned clocks)
{
    publish(t);
    cc_sync_t *s = cc_sync_get_locked(object);
    if (clocks & MAIN_CLOCK)
        cc_vclock_join(&s->clock[CC_SYNC_MAIN], &t->race.clock);
    if (clocks & READ_CLOCK)
        cc_vclock_join(&s->clock[CC_SYNC_READ], &t->race.clock);
    cc_sync_unlock(s);
    t->race.epoch++;
}

static void acquire_clocks(cc_thread_t *t, uint64_t object, unsigned clocks)
{
    cc_sync_t *s = cc_sync_find_locked(object);
    if (!s)
        return; /* never released: nothing to learn */
    if (clocks & MAIN_CLOCK)
        cc_vclock_join(&t->race.clock, &s->clock[CC_SYNC_MAIN]);
    if (clocks & READ_CLOCK)
        cc_vclock_join(&t->race.clock, &s->clock[CC_SYNC_READ]);
    cc_sync_unlock(s);
}

void cc_race_release(cc_thread_t *t, uint64_t object, int which)
{
    if (ready(t))
        release_clocks(t, object, 1u << which);
}

void cc_race_acquire(cc_thread_t *t, uint64_t object, int which)
{
    if (ready(t))
        acquire_clocks(t, object, 1u << which);
}

/* ---- the interposers' hooks ----------------------------------------------------- */

cc_thread_t *cc_race_hook_enter(void)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return NULL;
    /* The interposer read the flag relaxed; pair with its release in
     * cc_race_enable before reading what enable_thread wrote. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (CC_UNLIKELY(!t->race.active || t->race.stack_hi == 0) && !cc_race_thread_ensure(t)) {
        cc_leave(t);
        return NULL;
    }
    return t;
}

void cc_race_hook_acquire(const void *object, unsigned how, uint64_t pc)
{
    int saved_errno = errno;
    cc_thread_t *t = cc_race_hook_enter();
    if (t) {
        uint64_t addr = (uint64_t)(uintptr_t)object;
        /* Before the acquire: the object's own edge cannot order its
         * init with this use (after it, a lock that follows the
         * initialising thread's first unlock would look ordered). */
        if (how & CC_RACE_HOOK_READ)
            cc_race_access(t, addr, 1, false, pc);
        /* A writer comes after the readers' releases too. */
        acquire_clocks(t, addr, (how & CC_RACE_HOOK_WRITER) ? MAIN_CLOCK | READ_CLOCK : MAIN_CLOCK);
        if (how & CC_RACE_HOOK_LOCK)
            cc_race_lock_event(t, addr, true);
        cc_leave(t);
    }
    errno = saved_errno;
}

/* Which clock an rwlock unlock releases: the read clock for a read lock
 * (readers are not ordered with each other, only writers after them),
 * else the main one. The held stack still has the entry (the hook runs
 * before the lock-order bookkeeping pops it); if it does not, both. */
static unsigned rwlock_release_clocks(const cc_thread_t *t, uint64_t addr)
{
    const cc_lock_order_thread_t *lo = &t->locks;
    for (uint32_t i = lo->n_held; i-- > 0;)
        if (lo->held[i].addr == addr)
            return (lo->held[i].flags & CC_ACQUIRE_READ) ? READ_CLOCK : MAIN_CLOCK;
    return MAIN_CLOCK | READ_CLOCK;
}

void cc_race_hook_release(const void *object, unsigned how, uint64_t pc)
{
    int saved_errno = errno;
    cc_thread_t *t = cc_race_hook_enter();
    if (t) {
        uint64_t addr = (uint64_t)(uintptr_t)object;
        /* Before the release, so that the next owner (which may destroy
         * the object) is ordered after this use of it. */
        if (how & CC_RACE_HOOK_READ)
            cc_race_access(t, addr, 1, false, pc);
        release_clocks(t, addr,
                       (how & CC_RACE_HOOK_RWLOCK) ? rwlock_release_clocks(t, addr) : MAIN_CLOCK);
        if (how & CC_RACE_HOOK_READ_AFTER)
            cc_race_access(t, addr, 1, false, pc);
        if (how & CC_RACE_HOOK_LOCK)
            cc_race_lock_event(t, addr, false);
        cc_leave(t);
    }
    errno = saved_errno;
}

void cc_race_hook_access(const void *object, bool write, uint64_t pc)
{
    int saved_errno = errno;
    cc_thread_t *t = cc_race_hook_enter();
    if (t) {
        cc_race_access(t, (uint64_t)(uintptr_t)object, 1, write, pc);
        cc_leave(t);
    }
    errno = saved_errno;
}

/* Runs the program's once routine, then releases on the control, before
 * the real once call marks it done and lets the other callers through. */
static void once_routine(void)
{
    const void *control = once_pending.control;
    void (*init)(void) = once_pending.init;
    init();
    cc_race_hook_release(control, 0, 0);
}

void (*cc_race_once_routine(const void *control, void (*init)(void)))(void)
{
    /* Read back by once_routine before the program's routine runs, so a
     * nested once call (from init) cannot overwrite it too early. */
    once_pending.control = control;
    once_pending.init = init;
    return once_routine;
}

/* ---- fork ------------------------------------------------------------------------ */

void cc_race_fork_prepare(void)
{
    cc_spin_lock(&hb.lock);
    cc_race_fd_fork_prepare();
    cc_vclock_fork_prepare();
}

void cc_race_fork_release(void)
{
    cc_vclock_fork_release();
    cc_race_fd_fork_release();
    cc_spin_unlock(&hb.lock);
}

void cc_race_after_fork_child(cc_thread_t *self)
{
    memset(&hb.enable_lock, 0, sizeof hb.enable_lock);
    slot_t *slots = slots_get();
    if (slots) {
        /* Every other thread is gone: its slot goes back, continued above
         * its last epoch (its state is still in memory, abandoned). */
        for (uint32_t s = 0; s < hb.high; s++) {
            slot_t *e = &slots[s];
            e->lock.locked = 0;
            if (!e->used || (self && e->owner == self))
                continue;
            slot_give_back(s, e->owner ? e->owner->race.epoch : e->last_epoch);
        }
    }
    cc_sync_after_fork_child();
    cc_race_fd_after_fork_child();
}
