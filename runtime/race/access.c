/* The out-of-line half of the access check (access.h): cells that hold
 * another slot's access, accesses that span words, ranges, free(), and
 * the entry points the interposers call (race.h).
 *
 * Rules: as access.h. The entry points here may be called inside the guard
 * (from an interposer) or outside it; they check that the thread has a
 * slot and is not in an ignore region, and take no lock. */
#include "access.h"

#include "read_set.h"

/* The first access to a word: its cell is empty, and its shadow page is
 * often untouched, so between the load that found it empty and the store
 * the page faults in, for microseconds. Two threads' first accesses to a
 * word (the racy counter of every textbook) would both find it empty and
 * neither would see the other. So the store is a CAS from empty, and then
 * the other half of the cell is looked at again: a write claims `write`
 * and then reads `read`, a read the reverse, and both steps are
 * sequentially consistent, so of two such accesses at least one sees the
 * other. False: the cell changed; check it again. Only first accesses pay
 * for the locked instruction. */
static bool claim_empty_cell(cc_shadow_cell_t *c, uint64_t cur, bool write)
{
    uint64_t *mine = write ? &c->write : &c->read;
    uint64_t *other = write ? &c->read : &c->write;
    uint64_t empty = 0;
    if (!__atomic_compare_exchange_n(mine, &empty, cur, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return false;
    return __atomic_load_n(other, __ATOMIC_SEQ_CST) == 0;
}

/* The update of a cell that held w and r; false if it was empty and
 * another access claimed it first. A read that replaces one it is not
 * ordered with keeps that one in the read set. */
static bool store_word(cc_shadow_cell_t *c, uint64_t w, uint64_t r, uint64_t cur, bool write,
                       bool r_ordered)
{
    if (w == 0 && r == 0)
        return claim_empty_cell(c, cur, write);
    if (!write && !r_ordered)
        cc_read_set_keep(c, r, !(r & CC_DESC_FLAG));
    cc_race_store(c, r, cur, write, r_ordered);
    return true;
}

/* The whole check of one word against its cell (cur: the new descriptor).
 * Returns the earlier access it races with (0: none); *prev_write says
 * whether that was a write. A write-write race is preferred. */
static uint64_t check_word(const cc_thread_t *t, cc_shadow_cell_t *c, uint64_t cur, bool write,
                           bool *prev_write)
{
    uint64_t w, r;
    bool r_ordered;
    int kind;
    /* One more look if another first access claimed the empty cell first. */
    for (int look = 0;; look++) {
        w = __atomic_load_n(&c->write, __ATOMIC_RELAXED);
        r = __atomic_load_n(&c->read, __ATOMIC_RELAXED);
        r_ordered = true;
        kind = cc_race_classify(t, w, r, cur, write, &r_ordered);
        /* A free is stored even over the thread's own write: the report of
         * a use after it must say it was freed. */
        if (kind == CC_WORD_REDUNDANT && !(cur & CC_DESC_FLAG))
            return 0;
        if (kind == CC_WORD_RACE)
            break;
        /* A second lost claim (a reset meanwhile) gives up: a race can be
         * missed, never invented. */
        if (store_word(c, w, r, cur, write, r_ordered) || look > 0)
            return 0;
    }
    uint64_t prev = 0;
    if (!cc_desc_own_or_empty(w, cur) && cc_desc_conflict(w, cur) && !cc_race_ordered(t, w)) {
        prev = w;
        *prev_write = true;
    }
    r_ordered = cc_desc_own_or_empty(r, cur) || cc_race_ordered(t, r);
    if (write && !prev && !r_ordered && cc_desc_conflict(r, cur)) {
        prev = r;
        *prev_write = false;
    }
    if (write && !prev && (r & CC_DESC_FLAG)) {
        uint64_t dropped = cc_read_set_racing(t, c, cur);
        if (dropped) {
            prev = dropped;
            *prev_write = false;
            r_ordered = false; /* the flagged read stays, and with it the set */
        } else if (r_ordered) {
            cc_read_set_forget(c); /* the write clears the read: see cc_race_store */
        }
    }
    store_word(c, w, r, cur, write, r_ordered);
    return prev;
}

/* Checks the words of [addr, addr + size) under one event (descriptor
 * base: slot and epoch, and the free flag); one record at most. */
static void check_words(cc_thread_t *t, cc_race_current_t *a, bool write, uint64_t base)
{
    uint64_t end = a->addr + a->size;
    if (end > (UINT64_C(1) << CC_SHADOW_ADDR_BITS) || end < a->addr)
        end = UINT64_C(1) << CC_SHADOW_ADDR_BITS;
    for (uint64_t word = a->addr & ~UINT64_C(7); word < end; word += 8) {
        uint64_t lo = word < a->addr ? a->addr - word : 0;
        uint64_t hi = end - word < 8 ? end - word : 8;
        uint64_t bytes = (CC_DESC_BYTES >> (8 - (hi - lo))) << lo;
        bool prev_write = false;
        uint64_t prev = check_word(t, cc_shadow_cell(word), base | bytes, write, &prev_write);
        if (CC_UNLIKELY(prev != 0) && !a->reported) {
            a->reported = true;
            cc_race_report(t, a, word, prev, prev_write);
        }
    }
}

/* The CC_ACCESS_* flags of an access (`atomic`: its CC_DESC_ATOMIC bit). */
static uint32_t access_flags(bool write, uint64_t atomic)
{
    return (write ? CC_ACCESS_WRITE : 0u) | (atomic ? CC_ACCESS_ATOMIC : 0u);
}

/* A word on which the access races, or whose empty cell another access
 * claimed first (its descriptor cur, the event recorded): the check again
 * (the cell has changed), the update, the report. */
static void check_again(cc_thread_t *t, uint64_t addr, uint64_t size, bool write, uint64_t pc,
                         uint64_t word, uint64_t cur)
{
    bool prev_write = false;
    uint64_t prev = check_word(t, cc_shadow_cell(word), cur, write, &prev_write);
    if (CC_UNLIKELY(prev != 0)) {
        cc_race_current_t a = {addr, size, pc, access_flags(write, cur & CC_DESC_ATOMIC), true};
        cc_race_report(t, &a, word, prev, prev_write);
    }
}

/* Records the event of an access of kind `kind` and checks its words. */
static void check_access(cc_thread_t *t, uint64_t addr, uint64_t size, bool write, uint64_t pc,
                         cc_race_event_kind_t kind, uint32_t flags)
{
    if (size == 0 || addr >> CC_SHADOW_ADDR_BITS)
        return;
    uint64_t e = cc_history_record(t, kind, pc);
    if (e == 0)
        return;
    cc_race_current_t a = {addr, size, pc, flags, false};
    uint64_t base = cc_desc_make(t->race.slot, e, 0);
    if (flags & CC_ACCESS_FREE)
        base |= CC_DESC_FLAG;
    if (flags & CC_ACCESS_ATOMIC)
        base |= CC_DESC_ATOMIC;
    check_words(t, &a, write, base);
}

/* An access of size 1..16 that is not the steady state of access.h. One
 * word, or an aligned 16-byte access within a chunk, is classified word by
 * word before anything is stored: when all are redundant, no event is
 * recorded. Anything else goes word by word under one event. `atomic`:
 * CC_DESC_ATOMIC for an atomic access, else 0. */
static void access_general(cc_thread_t *t, uint64_t addr, uint64_t size, bool write, uint64_t pc,
                           uint64_t atomic)
{
    bool two = cc_race_cell_pair(addr, size);
    cc_race_history_t *h = t->race.history;
    uint64_t e = t->race.epoch + 1;
    if (((addr & 7) + size > 8 && !two) || addr >> CC_SHADOW_ADDR_BITS ||
        !cc_history_can_put(t, h, e)) {
        check_access(t, addr, size, write, pc, write ? CC_EV_WRITE : CC_EV_READ,
                     access_flags(write, atomic));
        return;
    }
    cc_shadow_cell_t *c = cc_shadow_cell(addr);
    uint64_t w0 = __atomic_load_n(&c[0].write, __ATOMIC_RELAXED);
    uint64_t r0 = __atomic_load_n(&c[0].read, __ATOMIC_RELAXED);
    uint64_t w1 = 0, r1 = 0;
    if (two) {
        w1 = __atomic_load_n(&c[1].write, __ATOMIC_RELAXED);
        r1 = __atomic_load_n(&c[1].read, __ATOMIC_RELAXED);
    }
    uint64_t base = cc_desc_make(t->race.slot, e, 0) | atomic;
    uint64_t cur0 = base | cc_race_cell_bytes(addr, size, two);
    uint64_t cur1 = base | CC_DESC_BYTES;
    bool r0_ordered = true, r1_ordered = true;
    int k0 = cc_race_classify(t, w0, r0, cur0, write, &r0_ordered);
    int k1 = two ? cc_race_classify(t, w1, r1, cur1, write, &r1_ordered) : CC_WORD_REDUNDANT;
    if (k0 == CC_WORD_REDUNDANT && k1 == CC_WORD_REDUNDANT)
        return;

    cc_history_put(t, h, e, write ? CC_EV_WRITE : CC_EV_READ, pc);
    bool again0 = k0 == CC_WORD_RACE, again1 = k1 == CC_WORD_RACE;
    if (k0 == CC_WORD_STORE)
        again0 = !store_word(&c[0], w0, r0, cur0, write, r0_ordered);
    if (k1 == CC_WORD_STORE)
        again1 = !store_word(&c[1], w1, r1, cur1, write, r1_ordered);
    /* One record per access: the second word is reported only if the
     * first is not (the report path dedups by code locations anyway). */
    if (CC_UNLIKELY(again0))
        check_again(t, addr, size, write, pc, addr & ~UINT64_C(7), cur0);
    else if (CC_UNLIKELY(again1))
        check_again(t, addr, size, write, pc, (addr & ~UINT64_C(7)) + 8, cur1);
}

/* Exported for libccheck-tsan.a (interpose/tsan_access.c). */
CC_EXPORT void cc_race_check_general(cc_race_view_t *view, uint64_t addr, uint64_t size,
                                     bool write, uint64_t pc)
{
    cc_thread_t *t = view->thread;
    if (CC_UNLIKELY(t == NULL)) {
        /* Not attached yet: attach it if the thread checks accesses now.
         * A thread with all its views taken checks this module's accesses
         * here every time: slower, still right. */
        t = cc_current_thread;
        if (t == NULL || t->guard != 0 || !t->race.active)
            return;
        cc_race_view_attach(t, view);
    }
    if (t->guard == 0 && cc_race_checks(t, write))
        access_general(t, addr, size, write, pc, 0);
}

/* ---- the entry points of race.h ------------------------------------------------ */

/* Called by interposers, inside the guard. */
void cc_race_access(cc_thread_t *t, uint64_t addr, uint32_t size, bool write, uint64_t pc)
{
    if (cc_race_checks(t, write))
        access_general(t, addr, size, write, pc, 0);
}

void cc_race_access_atomic(cc_thread_t *t, uint64_t addr, uint32_t size, bool write, uint64_t pc)
{
    if (cc_race_checks(t, write))
        access_general(t, addr, size, write, pc, CC_DESC_ATOMIC);
}

void cc_race_access_range(cc_thread_t *t, uint64_t addr, uint64_t size, bool write, uint64_t pc)
{
    if (cc_race_checks(t, write))
        check_access(t, addr, size, write, pc, write ? CC_EV_WRITE : CC_EV_READ,
                     access_flags(write, 0));
}

void cc_race_freed(cc_thread_t *t, uint64_t addr, uint64_t size, uint64_t pc)
{
    if (cc_race_checks(t, true))
        check_access(t, addr, size, true, pc, CC_EV_FREE, CC_ACCESS_WRITE | CC_ACCESS_FREE);
}

void cc_race_lock_event(cc_thread_t *t, uint64_t lock_addr, bool acquired)
{
    if (!t->race.active)
        return;
    /* The event first: if it starts a part, the part's header holds the
     * locks as they were before it, and replay applies it. */
    if (cc_history_record(t, acquired ? CC_EV_LOCK : CC_EV_UNLOCK, lock_addr) != 0)
        cc_history_lock(t, lock_addr, acquired);
}
