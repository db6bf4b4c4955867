/* Held-lock stacks and lock-order edge discovery. See lock_order.h. */
#include "lock_hot_path.h"

#include <string.h>

#include "lock_table.h"
#include "misuse.h"
#include "options.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

void cc_lock_order_thread_reset(cc_lock_order_thread_t *lo)
{
    if (!lo->held) {
        lo->held = lo->held_inline;
        lo->cap_held = CC_ARRAY_SIZE(lo->held_inline);
    }
    lo->n_held = 0;
    cc_lock_order_forget_edges(lo);
}

void cc_lock_order_forget_edges(cc_lock_order_thread_t *lo)
{
    if (lo->edges)
        memset(lo->edges, 0, 2 * (size_t)lo->cap_edges * sizeof *lo->edges);
    lo->n_edges = 0;
}

/* No cap on how many locks a thread holds. The old array stays in the
 * arena; the thread state keeps the new one for its reuses. */
static void grow_held(cc_lock_order_thread_t *lo)
{
    cc_held_t *bigger = cc_alloc(2 * (size_t)lo->cap_held * sizeof *bigger);
    memcpy(bigger, lo->held, lo->n_held * sizeof *bigger);
    /* Other threads read held stacks (misuse.c): the array before the
     * capacity, so a reader that sees the new capacity sees the new array. */
    __atomic_store_n(&lo->held, bigger, __ATOMIC_RELEASE);
    __atomic_store_n(&lo->cap_held, lo->cap_held * 2, __ATOMIC_RELEASE);
}


static uint64_t edge_hash(uint64_t from, uint64_t to) { return cc_hash64(from * 31 + to); }

/* Adds (from, to) to the thread's edge set; true if it was not there. */
static bool edge_insert(cc_lock_order_thread_t *lo, uint64_t from, uint64_t to);

static void edge_set_grow(cc_lock_order_thread_t *lo)
{
    uint64_t *old = lo->edges;
    uint32_t old_cap = lo->cap_edges;
    lo->cap_edges = old_cap ? 2 * old_cap : 64;
    lo->edges = cc_alloc(2 * (size_t)lo->cap_edges * sizeof *lo->edges);
    lo->n_edges = 0;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[2 * i])
            edge_insert(lo, old[2 * i], old[2 * i + 1]);
}

static bool edge_insert(cc_lock_order_thread_t *lo, uint64_t from, uint64_t to)
{
    if (4 * (lo->n_edges + 1) > 3 * lo->cap_edges)
        edge_set_grow(lo);
    uint32_t mask = lo->cap_edges - 1;
    for (uint32_t i = (uint32_t)edge_hash(from, to) & mask;; i = (i + 1) & mask) {
        uint64_t *slot = &lo->edges[2 * i];
        if (slot[0] == from && slot[1] == to)
            return false;
        if (slot[0] == 0) {
            slot[0] = from;
            slot[1] = to;
            lo->n_edges++;
            return true;
        }
    }
}

static uint32_t edge_flags(const cc_held_t *from, uint32_t to_flags)
{
    uint32_t flags = 0;
    if (to_flags & CC_ACQUIRE_TRY)
        flags |= CC_EDGE_TO_TRY;
    if (to_flags & CC_ACQUIRE_READ)
        flags |= CC_EDGE_TO_READ;
    if (from->flags & CC_ACQUIRE_READ)
        flags |= CC_EDGE_FROM_READ;
    return flags;
}

static void write_edge(cc_thread_t *t, const cc_held_t *from, const cc_held_t *to,
                       uint32_t flags)
{
    enum { MAX_LISTED = 64 }; /* other held locks listed in one record */
    struct {
        cc_rec_lock_edge_t rec;
        cc_held_lock_t held[MAX_LISTED];
    } buf;
    cc_lock_order_thread_t *lo = &t->locks;
    uint32_t n = 0;
    for (uint32_t i = 0; i < lo->n_held && n < MAX_LISTED; i++) {
        const cc_held_t *h = &lo->held[i];
        if (h->id == from->id || h->id == to->id)
            continue;
        buf.held[n].id = h->id;
        buf.held[n].flags = (h->flags & CC_ACQUIRE_READ) ? CC_HELD_READ : 0;
        buf.held[n].reserved = 0;
        n++;
    }
    cc_lock_write_record(from->lock);
    cc_lock_write_record(to->lock);
    buf.rec.from = from->id;
    buf.rec.to = to->id;
    buf.rec.from_stack = from->stack;
    buf.rec.to_stack = to->stack;
    buf.rec.flags = flags;
    buf.rec.n_held = n;
    cc_trace_write(CC_REC_LOCK_EDGE, &buf.rec.h, (uint32_t)(sizeof buf.rec + n * sizeof buf.held[0]));
}

/* The slow path: `to` closes edges this thread has not written yet. One
 * unwind serves them all. */
static void write_new_edges(cc_thread_t *t, cc_held_t *to)
{
    cc_lock_order_thread_t *lo = &t->locks;
    cc_unwound_t now;
    cc_unwind(to->at, &now);
    to->stack = cc_stack_intern(now.pc, now.n);
    for (uint32_t i = 0; i < lo->n_held; i++) {
        cc_held_t *from = &lo->held[i];
        if (!from->new_edge)
            continue;
        if (!from->stack)
            from->stack = cc_stack_earlier(&now, from->at);
        write_edge(t, from, to, edge_flags(from, to->flags));
    }
}

cc_lock_t *cc_lock_lookup_slow(cc_lock_order_thread_t *lo, uint64_t addr, cc_lock_kind_t kind,
                               uint64_t pc)
{
    cc_lock_t *lock = cc_lock_get(addr, kind, pc);
    size_t slot = cc_lock_cache_slot(addr);
    lo->cache_addr[slot] = addr;
    lo->cache_lock[slot] = lock;
    return lock;
}

void cc_lock_add_edges(cc_thread_t *t)
{
    cc_lock_order_thread_t *lo = &t->locks;
    uint32_t below = lo->n_held - 1;
    cc_held_t *to = &lo->held[below];
    /* A relock of a lock this thread holds (recursive mutex, read lock
     * taken twice) cannot block, so it orders nothing. */
    for (uint32_t i = 0; i < below; i++)
        if (lo->held[i].lock == to->lock)
            return;
    bool any_new = false;
    for (uint32_t i = 0; i < below; i++) {
        cc_held_t *from = &lo->held[i];
        uint64_t to_key = to->id | (uint64_t)edge_flags(from, to->flags) << 61;
        from->new_edge = edge_insert(lo, from->id, to_key);
        any_new |= from->new_edge;
    }
    if (CC_UNLIKELY(any_new))
        write_new_edges(t, to);
}

void cc_lock_acquired_slow(void *addr, cc_lock_kind_t kind, uint32_t flags, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_acquired_entered(t, addr, kind, flags, at);
    cc_leave(t);
}

void cc_lock_acquired_entered(cc_thread_t *t, void *addr, cc_lock_kind_t kind, uint32_t flags,
                              cc_caller_t at)
{
    cc_lock_order_thread_t *lo = &t->locks;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    cc_lock_t *lock = lo->cache_addr[cc_lock_cache_slot(key)] == key
                          ? lo->cache_lock[cc_lock_cache_slot(key)]
                          : NULL;
    if (!lock || __atomic_load_n(&lock->id, __ATOMIC_RELAXED) == 0)
        lock = cc_lock_lookup_slow(lo, key, kind, at.pc);
    if (lo->n_held == lo->cap_held)
        grow_held(lo);
    cc_held_fill(&lo->held[lo->n_held++], key, lock, flags, at);
    if (lo->n_held > 1 && cc_opt.lock_order)
        cc_lock_add_edges(t);
    if (cc_hold_timed())
        cc_hold_stamp(t);
}

/* Removes the innermost entry for key, copied to *removed; false if the
 * thread does not hold it. */
static bool remove_held(cc_lock_order_thread_t *lo, uint64_t key, cc_held_t *removed)
{
    for (uint32_t i = lo->n_held; i-- > 0;) {
        if (lo->held[i].addr == key) {
            *removed = lo->held[i];
            memmove(&lo->held[i], &lo->held[i + 1], (lo->n_held - i - 1) * sizeof lo->held[0]);
            lo->n_held--;
            return true;
        }
    }
    return false;
}

/* A release by a lock or unlock call (not a semaphore's): removes the entry
 * and judges how long it was held. */
static bool release_held(cc_thread_t *t, uint64_t key, cc_caller_t at)
{
    cc_held_t removed;
    if (!remove_held(&t->locks, key, &removed))
        return false;
    if (cc_hold_timed())
        cc_hold_released(t, &removed, at);
    return true;
}

void cc_lock_released_slow(void *addr, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    /* Not the top (released out of order), not held at all, or timed. */
    release_held(t, (uint64_t)(uintptr_t)addr, at);
    cc_leave(t);
}

bool cc_lock_released_entered(cc_thread_t *t, void *addr)
{
    cc_held_t removed;
    return remove_held(&t->locks, (uint64_t)(uintptr_t)addr, &removed);
}

void cc_lock_unlocked_slow(void *addr, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    if (!release_held(t, key, at))
        cc_misuse_unlock_unheld(t, key, at);
    cc_leave(t);
}
