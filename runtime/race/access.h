/* The FastTrack check of one memory access, inlined into the __tsan_*
 * entry points (interpose/tsan.c); the out-of-line rest is access.c.
 *
 * An access by thread t (slot s) of the bytes m of a word is checked
 * against the word's cell:
 *  - the last write w races with it if w is another slot's, touches bytes
 *    of m, and t has not seen w's epoch (w.epoch > t.clock[w.slot]);
 *  - for a write, the kept read r likewise.
 * Unless the access is redundant (below), it records a history event,
 * which gives it its epoch e, and then:
 *  - a write stores {m, s, e} and drops r if r is ordered before it;
 *  - a read stores {m, s, e} if r is empty, its own or ordered before it,
 *    else replaces r and sets the flag (a concurrent reader was dropped).
 * An access that spans words (sizes 1..16, any alignment) is checked word
 * by word under one event. Bytes are compared exactly: accesses to
 * disjoint bytes of a word never race.
 *
 * Redundant accesses. FastTrack skips an access made in the same epoch as
 * the one already in the cell. Here every event has its own epoch, so the
 * rule is: the cell already holds this slot's access to the same bytes
 * (a write; for a read, also a read) made after the thread's last release
 * (see cc_race_redundant for why no verdict can change). Then nothing is
 * stored, not even the event. A loop over the thread's own data therefore
 * only loads, as under TSan; the price is that a report names the first
 * such access since the release rather than the last.
 *
 * Rules:
 *  - The steady state (every word redundant) is a leaf: no call, no lock,
 *    no store; everything else goes to cc_race_check_general with a tail
 *    call, so the entry points save no registers.
 *  - Atomic accesses (interpose/tsan_atomic.c) take the general path,
 *    marked CC_DESC_ATOMIC: two of them never race (cc_desc_conflict).
 *  - Replacing a write loses what it said (one write per word, and the
 *    reads ordered before it): a race can be missed, never invented. A
 *    read that replaces one it is not ordered with keeps that one in the
 *    read set (read_set.h), which writes are checked against as well. */
#ifndef CC_RACE_ACCESS_H
#define CC_RACE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "history.h"
#include "shadow.h"
#include "thread.h"

/* The access being checked, for the report. */
typedef struct cc_race_current {
    uint64_t addr;
    uint64_t size;
    uint64_t pc;
    uint32_t flags; /* CC_ACCESS_* */
    bool reported; /* one record per access, however many words race */
} cc_race_current_t;

/* The out-of-line path of cc_race_check: everything but the steady state.
 * Checks that t takes part (not inside the runtime, has a slot, not in an
 * ignore region), records the event, classifies each word, stores,
 * reports. */
void cc_race_check_general(cc_race_view_t *view, uint64_t addr, uint64_t size, bool write,
                           uint64_t pc);
/* cc_race_check_general, or a function of the caller's module that ends
 * in it (interpose/tsan_access.c). */
typedef void (*cc_race_general_fn)(cc_race_view_t *view, uint64_t addr, uint64_t size, bool write,
                                   uint64_t pc);

#define CC_RACE_INLINE static inline __attribute__((always_inline))

/* For the entry points (interpose/tsan*.c): the access's pc, the return
 * address into the instrumented code, and an address as a number. */
#define CC_RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define CC_ADDR(p) ((uint64_t)(uintptr_t)(p))

/* t has seen the access d: d's epoch is in t's clock. */
CC_RACE_INLINE bool cc_race_ordered(const cc_thread_t *t, uint64_t d)
{
    return cc_desc_epoch(d) <= cc_vclock_get(&t->race.clock, cc_desc_slot(d));
}

/* Whether d, this slot's own access, makes a new access of the bytes of
 * cur redundant: it covers them and comes after t's last release (its own
 * clock entry). Every other thread's clock holds either at most that
 * release, and then sees d and the new access alike as not ordered before
 * it, or a later release, and then sees both as ordered. So storing the
 * new access instead could change no verdict, only which of the two a
 * report names (the earlier one, as TSan does within an epoch). An atomic
 * and a plain access race with different accesses: neither makes the
 * other redundant. */
CC_RACE_INLINE bool cc_race_redundant(const cc_thread_t *t, uint64_t d, uint64_t cur)
{
    uint64_t bytes = cur & CC_DESC_BYTES;
    return (d & bytes) == bytes && ((d ^ cur) & CC_DESC_ATOMIC) == 0 &&
           cc_desc_epoch(d) > t->race.published;
}

/* What one word's check comes to: nothing to do, a store, or a possible
 * race (the whole check, access.c). */
enum { CC_WORD_REDUNDANT, CC_WORD_STORE, CC_WORD_RACE };

/* The check of a word whose cell holds w and r, against the new access
 * cur. *r_ordered: r is nothing, this slot's or ordered before it. */
CC_RACE_INLINE int cc_race_classify(const cc_thread_t *t, uint64_t w, uint64_t r, uint64_t cur,
                                    bool write, bool *r_ordered)
{
    bool w_own = w != 0 && cc_desc_own_or_empty(w, cur);
    bool r_own = r != 0 && cc_desc_own_or_empty(r, cur);
    if (CC_UNLIKELY(!(w == 0 || w_own || !cc_desc_conflict(w, cur) || cc_race_ordered(t, w))))
        return CC_WORD_RACE;
    /* A loop over data it has touched since its last release: nothing to
     * store. A write makes a later read redundant too. */
    if (write ? w_own && cc_race_redundant(t, w, cur) && (r == 0 || r_own)
              : (w_own && cc_race_redundant(t, w, cur)) || (r_own && cc_race_redundant(t, r, cur)))
        return CC_WORD_REDUNDANT;
    *r_ordered = r == 0 || r_own || cc_race_ordered(t, r);
    /* A flagged read: the cell dropped reads (read_set.h) that a write
     * must be checked against too. */
    return CC_UNLIKELY(write && ((!*r_ordered && cc_desc_conflict(r, cur)) || (r & CC_DESC_FLAG)))
               ? CC_WORD_RACE
               : CC_WORD_STORE;
}

/* The update of a word after CC_WORD_STORE. */
CC_RACE_INLINE void cc_race_store(cc_shadow_cell_t *c, uint64_t r, uint64_t cur, bool write,
                                  bool r_ordered)
{
    if (write) {
        __atomic_store_n(&c->write, cur, __ATOMIC_RELAXED);
        /* A read ordered before this write says nothing more. */
        if (r && r_ordered)
            __atomic_store_n(&c->read, 0, __ATOMIC_RELAXED);
    } else {
        /* Two reads not ordered with each other: keep the newer, and say
         * one was dropped (the caller kept it in the read set). */
        __atomic_store_n(&c->read, r_ordered ? cur : cur | CC_DESC_FLAG, __ATOMIC_RELAXED);
    }
}

/* The steady state of a loop over data the thread touched since its last
 * release (own: its slot's descriptor bits; after: its last release's
 * epoch): the write w covers the bytes, and for a write the read r is
 * nothing or its own; or, for a read, r covers them. The write is not
 * looked at then (as TSan does when the same access is in the cell): it
 * was checked when r was stored, and a write since then was checked
 * against r by its writer, who dropped r if ordered after it and reported
 * the race if not. The general path finds the rest. */
CC_RACE_INLINE bool cc_race_covered(uint64_t w, uint64_t r, uint64_t own, uint64_t bytes,
                                    uint64_t after, bool write)
{
    /* (A plain access: the thread's own atomic one does not cover it.) */
    uint64_t key = own | bytes, mask = CC_DESC_SLOT | CC_DESC_ATOMIC | bytes;
    if (((w ^ key) & mask) == 0 && cc_desc_epoch(w) > after)
        return !write || ((r ^ own) & CC_DESC_SLOT) == 0 || r == 0;
    return !write && ((r ^ key) & mask) == 0 && cc_desc_epoch(r) > after;
}

/* Checks an access of size 1..16 bytes at addr by the current thread,
 * whose view (race.h) is `view`. Inlined into every entry point: a leaf
 * that finds the steady state and returns, or hands the access to
 * `general` with a tail call, so the entry point saves no registers. The
 * steady state is judged before anything else about the thread: it only
 * loads and returns, which is right also for a thread that ignores
 * accesses or is inside the runtime, and a view not attached yet covers
 * nothing (cc_race_check_general sees to all three).
 *
 * `dir` is the shadow directory (cc_shadow_dir), which the caller keeps in
 * a variable of its own module (interpose/tsan_access.c): from a program
 * linked with libccheck-tsan.a, that is one pc-relative load instead of
 * two through the GOT. NULL (not made yet, or not read yet) goes to the
 * general path, which is the caller's to fill it in. */
CC_RACE_INLINE void cc_race_check(cc_race_view_t *view, cc_shadow_cell_t *const *dir,
                                  cc_race_general_fn general, uint64_t addr, uint64_t size,
                                  bool write, uint64_t pc)
{
    uint64_t off = addr & 7;
    uint64_t index = (addr >> 3) & (CC_SHADOW_CHUNK_CELLS - 1);
    cc_shadow_cell_t *chunk;
    /* One word, or two of one chunk (an aligned 16-byte access). */
    if (CC_LIKELY((size == 8 ? !(addr & (~((UINT64_C(1) << CC_SHADOW_ADDR_BITS) - 1) | 7))
                             : !(addr >> CC_SHADOW_ADDR_BITS) &&
                                   (off + size <= 8 || (size == 16 && off == 0 &&
                                                        index != CC_SHADOW_CHUNK_CELLS - 1))) &&
                  dir != NULL &&
                  (chunk = __atomic_load_n(&dir[addr >> CC_SHADOW_CHUNK_BITS], __ATOMIC_ACQUIRE)) !=
                      NULL)) {
        cc_shadow_cell_t *c = chunk + index;
        uint64_t key = view->key;
        uint64_t own = key & CC_DESC_SLOT;
        uint64_t after = cc_desc_epoch(key);
        if (size <= 8) {
            /* (An 8-byte access here is aligned: its bytes are all 8.) */
            uint64_t bytes = size == 8 ? CC_DESC_BYTES : ((UINT64_C(1) << size) - 1) << off;
            if (CC_LIKELY(cc_race_covered(__atomic_load_n(&c->write, __ATOMIC_RELAXED),
                                          __atomic_load_n(&c->read, __ATOMIC_RELAXED), own, bytes,
                                          after, write)))
                return;
        } else if (CC_LIKELY(cc_race_covered(__atomic_load_n(&c[0].write, __ATOMIC_RELAXED),
                                             __atomic_load_n(&c[0].read, __ATOMIC_RELAXED), own,
                                             CC_DESC_BYTES, after, write) &&
                             cc_race_covered(__atomic_load_n(&c[1].write, __ATOMIC_RELAXED),
                                             __atomic_load_n(&c[1].read, __ATOMIC_RELAXED), own,
                                             CC_DESC_BYTES, after, write))) {
            return;
        }
    }
    general(view, addr, size, write, pc);
}

/* The current thread if it checks accesses now (not inside the runtime,
 * with a slot), else NULL: for the entry points that do not inline
 * cc_race_check (ranges, function entry and exit). */
CC_RACE_INLINE cc_thread_t *cc_race_checking_thread(void)
{
    cc_thread_t *t = cc_current_thread;
    return CC_LIKELY(t != NULL && t->guard == 0 && t->race.active) ? t : NULL;
}

/* ---- reports (report.c) ----------------------------------------------------- */

/* A race of the access `a` on `word` with the earlier access `prev` (a
 * descriptor; a write if prev_write). Deduplicates, restores the earlier
 * access from its slot's history and writes a race record. */
void cc_race_report(cc_thread_t *t, const cc_race_current_t *a, uint64_t word, uint64_t prev,
                    bool prev_write);

/* ccheck/annotations.h: races on [addr, addr + size) are never reported. */
void cc_race_benign_add(uint64_t addr, uint64_t size);

#endif
