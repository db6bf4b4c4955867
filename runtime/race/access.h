/* The FastTrack check of one memory access, inlined into the __tsan_*
 * entry points (interpose/tsan_access.c); the out-of-line rest is access.c.
 *
 * An access by thread t (slot s) of the bytes m of a word is checked
 * against the word's cell:
 *  - the last write w races with it if w is another slot's, touches bytes
 *    of m, and t has not seen w's epoch (w.epoch > t.clock[w.slot]);
 *  - for a write, the kept read r likewise.
 * Unless the access is redundant (below), it records a history event,
 * which gives it its epoch e, and then:
 *  - a write stores {m, s, e} and drops r if r is ordered before it and
 *    not t's own (which still covers t's later reads);
 *  - a read stores {m, s, e} if r is empty, its own or ordered before it,
 *    else replaces r and sets the flag (a concurrent reader was dropped).
 * An access that spans words (sizes 1..16, any alignment) is checked word
 * by word under one event. Bytes are compared exactly: accesses to
 * disjoint bytes of a word never race.
 *
 * Redundant accesses. FastTrack skips an access made in the same epoch as
 * the one already in the cell. Here every event has its own epoch, so the
 * rule is: the cell already holds this slot's access to the same bytes
 * (for a write, a write; for a read, a read) made after the thread's last
 * release (see cc_race_redundant for why no verdict can change). Then
 * nothing is stored, not even the event. A loop over the thread's own
 * data therefore only loads, as under TSan, and each check looks at one
 * half of the cell; the price is that a report names the first such
 * access since the release rather than the last.
 *
 * Rules:
 *  - The steady state (every word redundant) is a leaf: no call, no lock,
 *    no store; everything else goes to the entry point's general path
 *    with a tail call, so the entry points save no registers. There the
 *    first touch of a word since the release is settled inline
 *    (cc_race_restamp), the rest in cc_race_check_general.
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
     * store. A read is judged by the cell's read only, so that the steady
     * state of a read is one test (cc_race_covered): a read after the
     * thread's own write stores itself once. */
    if (write ? w_own && cc_race_redundant(t, w, cur) && (r == 0 || r_own)
              : r_own && cc_race_redundant(t, r, cur))
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
        /* A read ordered before this write says nothing more, except the
         * thread's own (without dropped reads): kept, it still covers the
         * thread's next reads, and whatever races with it races with the
         * newer write too. */
        if (r && r_ordered && ((r ^ cur) & (CC_DESC_SLOT | CC_DESC_FLAG)) != 0)
            __atomic_store_n(&c->read, 0, __ATOMIC_RELAXED);
    } else {
        /* Two reads not ordered with each other: keep the newer, and say
         * one was dropped (the caller kept it in the read set). */
        __atomic_store_n(&c->read, r_ordered ? cur : cur | CC_DESC_FLAG, __ATOMIC_RELAXED);
    }
}

/* Whether an access of size 1..16 at addr is an aligned 16-byte access
 * whose two words share a chunk: checked against two cells side by side,
 * as an access within one word is against one. Any other goes word by
 * word (access.c). */
CC_RACE_INLINE bool cc_race_cell_pair(uint64_t addr, uint64_t size)
{
    const uint64_t last_word = ((UINT64_C(1) << CC_SHADOW_CHUNK_BITS) - 1) & ~UINT64_C(7);
    return size == 16 && (addr & 7) == 0 && (addr & last_word) != last_word;
}

/* The byte bits, in each of its cells, of the access of size at addr:
 * within one word, or a pair of cells (cc_race_cell_pair). */
CC_RACE_INLINE uint64_t cc_race_cell_bytes(uint64_t addr, uint64_t size, bool pair)
{
    /* (Within one word, an 8-byte access is aligned.) */
    return pair || size == 8 ? CC_DESC_BYTES : ((UINT64_C(1) << size) - 1) << (addr & 7);
}

/* Whether t checks this kind of access now: it has a slot and is not in
 * an ignore region. (Whether it is inside the runtime is the caller's
 * question: the interposers check accesses from inside.) */
CC_RACE_INLINE bool cc_race_checks(const cc_thread_t *t, bool write)
{
    return t->race.active && (write ? t->race.ignore_writes : t->race.ignore_reads) == 0;
}

/* The commonest access that is not the steady state: t's first touch,
 * since its last release, of `cells` words (1, or 2 for a pair:
 * cc_race_cell_pair) whose cells hold only t's own accesses, or for a read
 * also writes ordered before it (every word a loop touches after an
 * unlock comes this way). No race is possible then, and no read is
 * dropped: the access needs only its event and its descriptors (`bytes`:
 * of each word; a plain access). Decided before anything is stored: false
 * means not this case, and nothing changed; the general path then does
 * the whole check. t checks accesses of this kind (cc_race_checks).
 * Inlined into the entry points' general path, so the case costs no call
 * into libccheck.so. */
CC_RACE_INLINE bool cc_race_restamp(cc_thread_t *t, cc_shadow_cell_t *c, unsigned cells,
                                    uint64_t bytes, bool write, uint64_t pc)
{
    cc_race_history_t *h = t->race.history;
    uint64_t e = t->race.epoch + 1;
    if (!cc_history_can_put(t, h, e))
        return false;
    uint64_t own = t->race.own_bits;
    for (unsigned i = 0; i < cells; i++) {
        uint64_t w = __atomic_load_n(&c[i].write, __ATOMIC_RELAXED);
        uint64_t r = __atomic_load_n(&c[i].read, __ATOMIC_RELAXED);
        /* r: nothing, or t's own without dropped reads; w: nothing or t's
         * own (for a read, or ordered before it); not both nothing (a
         * first access claims its cell, access.c). */
        bool r_mine = r == 0 || ((r ^ own) & (CC_DESC_SLOT | CC_DESC_FLAG)) == 0;
        bool w_mine = w == 0 || ((w ^ own) & CC_DESC_SLOT) == 0;
        if (CC_UNLIKELY(!r_mine || (w | r) == 0 ||
                        (!w_mine && (write || !cc_race_ordered(t, w)))))
            return false;
    }
    cc_history_put(t, h, e, write ? CC_EV_WRITE : CC_EV_READ, pc);
    /* (A write keeps t's own read: see cc_race_store.) */
    for (unsigned i = 0; i < cells; i++)
        __atomic_store_n(write ? &c[i].write : &c[i].read, e << CC_DESC_EPOCH_SHIFT | own | bytes,
                         __ATOMIC_RELAXED);
    return true;
}

/* The steady state of a loop over data the thread touched since its last
 * release (own, older: the view's, race.h): for a write, the write w
 * covers the bytes and the read r is nothing or its own; for a read, r
 * covers them (cc_race_classify has reads store themselves once where
 * only a write of the thread covered them). The write is not looked at by
 * a read (as TSan does when the same access is in the cell): it was
 * checked when r was stored, and a write since then was checked against r
 * by its writer, who dropped r if ordered after it and reported the race
 * if not. The general path finds the rest. `own` has every byte bit set,
 * so masking the bytes of the access in (d ^ own) tests that d has them
 * all; a plain access is not covered by the thread's own atomic one. The
 * steady state is laid out as one straight run to the return, with as
 * few branches as can be: a taken branch there, or one more branch, cost
 * more than a few instructions (docs/performance.md). */
CC_RACE_INLINE bool cc_race_covered(const cc_shadow_cell_t *c, uint64_t own, uint64_t bytes,
                                    uint64_t older, bool write)
{
    uint64_t mask = CC_DESC_SLOT | CC_DESC_ATOMIC | bytes;
    uint64_t d = __atomic_load_n(write ? &c->write : &c->read, __ATOMIC_RELAXED);
    /* Both tests as one number, one branch: the compiler would make two
     * of them, and the branches of a steady state cost more than their
     * instructions (the empty asm hides that the number is two tests). */
    uint64_t miss = ((d ^ own) & mask) | (uint64_t)(d <= older);
    __asm__("" : "+r"(miss));
    if (CC_UNLIKELY(miss != 0))
        return false;
    if (!write)
        return true;
    uint64_t r = __atomic_load_n(&c->read, __ATOMIC_RELAXED);
    return CC_LIKELY(r == 0) || ((r ^ own) & CC_DESC_SLOT) == 0;
}

/* How a module that checks accesses inline reaches the shadow: it keeps
 * one in a variable of its own (interpose/tsan_access.c), so that each
 * part is one pc-relative load. `reject8` and `reject` are the address
 * bits that send an access of 8 bytes, or of another size, to the general
 * path: those of addresses with no shadow (2^47 and up), and for 8 bytes
 * those of a misaligned one. Until the module has the directory, both are
 * all ones and `dir` is a directory of one empty entry (for address 0,
 * which they let through): every access goes to the general path, whose
 * caller fills the three in (cc_race_shadow_ref_set). So the steady state
 * tests the address once and never the directory. */
typedef struct cc_race_shadow_ref {
    uint64_t reject8;
    uint64_t reject;
    cc_shadow_cell_t *const *dir;
} cc_race_shadow_ref_t;

/* The initial value, given the module's directory of one empty entry. */
#define CC_RACE_SHADOW_REF_NONE(no_dir) {~UINT64_C(0), ~UINT64_C(0), (no_dir)}

/* Fills ref in with the shadow directory, once it exists (any thread may,
 * and many at once: they store the same values). The masks last, with
 * release: whoever sees them sees the directory. */
static inline void cc_race_shadow_ref_set(cc_race_shadow_ref_t *ref, cc_shadow_cell_t **dir)
{
    const uint64_t no_shadow = ~((UINT64_C(1) << CC_SHADOW_ADDR_BITS) - 1);
    __atomic_store_n(&ref->dir, dir, __ATOMIC_RELAXED);
    __atomic_store_n(&ref->reject, no_shadow, __ATOMIC_RELEASE);
    __atomic_store_n(&ref->reject8, no_shadow | 7, __ATOMIC_RELEASE);
}

/* Checks an access of size 1..16 bytes at addr by the current thread,
 * whose view (race.h) is `view`. Inlined into every entry point: a leaf
 * that finds the steady state and returns, or hands the access to
 * `general` with a tail call, so the entry point saves no registers. The
 * steady state is judged before anything else about the thread: it only
 * loads and returns, which is right also for a thread that ignores
 * accesses or is inside the runtime, and a view not attached yet covers
 * nothing (cc_race_check_general sees to all three). `ref`: the module's
 * way to the shadow.
 *
 * Every branch here counts, and every instruction: an instrumented loop
 * spends its time in these few (docs/performance.md). Hence the cell's
 * address as chunk + 2 * (the word's offset in the chunk), which x86
 * computes in the load itself. */
CC_RACE_INLINE void cc_race_check(cc_race_view_t *view, const cc_race_shadow_ref_t *ref,
                                  cc_race_general_fn general, uint64_t addr, uint64_t size,
                                  bool write, uint64_t pc)
{
    const uint64_t chunk_mask = (UINT64_C(1) << CC_SHADOW_CHUNK_BITS) - 1;
    uint64_t off = addr & 7;
    uint64_t word_off = addr & (chunk_mask & ~UINT64_C(7)); /* of its word in the chunk */
    uint64_t reject = __atomic_load_n(size == 8 ? &ref->reject8 : &ref->reject, __ATOMIC_ACQUIRE);
    char *chunk;
    /* One word, or two of one chunk (cc_race_cell_pair, written out here
     * with the word's offset the cell address needs anyway: the helper
     * made gcc lay a 16-byte access's steady state out with a taken
     * branch). */
    if (CC_LIKELY(!(addr & reject) &&
                  (size == 8 || off + size <= 8 ||
                   (size == 16 && off == 0 && word_off != (chunk_mask & ~7))) &&
                  (chunk = (char *)__atomic_load_n(&ref->dir[addr >> CC_SHADOW_CHUNK_BITS],
                                                   __ATOMIC_ACQUIRE)) != NULL)) {
        _Static_assert(sizeof(cc_shadow_cell_t) == 2 * 8, "a cell is twice its word");
        cc_shadow_cell_t *c = (cc_shadow_cell_t *)(chunk + 2 * word_off);
        uint64_t own = view->own, older = view->older;
        if (size <= 8) {
            if (CC_LIKELY(cc_race_covered(c, own, cc_race_cell_bytes(addr, size, false), older,
                                          write)))
                return;
        } else if (CC_LIKELY(cc_race_covered(&c[0], own, CC_DESC_BYTES, older, write) &&
                             cc_race_covered(&c[1], own, CC_DESC_BYTES, older, write))) {
            return;
        }
    }
    general(view, addr, size, write, pc);
}

/* What an entry point does off the steady state (cc_race_check's
 * `general`, in interpose/tsan_access.c with size and write constant):
 * the first touch of a word since the last release (cc_race_restamp)
 * without a call into libccheck.so, else cc_race_check_general. `ref`: as
 * for cc_race_check. */
CC_RACE_INLINE void cc_race_off_steady(cc_race_view_t *view, const cc_race_shadow_ref_t *ref,
                                       uint64_t addr, uint64_t size, bool write, uint64_t pc)
{
    cc_thread_t *t = view->thread;
    bool pair = cc_race_cell_pair(addr, size);
    if (CC_LIKELY(t != NULL && !(addr & __atomic_load_n(&ref->reject, __ATOMIC_ACQUIRE)) &&
                  ((addr & 7) + size <= 8 || pair)) &&
        t->guard == 0 && cc_race_checks(t, write)) {
        cc_shadow_cell_t *chunk =
            __atomic_load_n(&ref->dir[addr >> CC_SHADOW_CHUNK_BITS], __ATOMIC_ACQUIRE);
        if (chunk && cc_race_restamp(t, chunk + ((addr >> 3) & (CC_SHADOW_CHUNK_CELLS - 1)),
                                     pair ? 2 : 1, cc_race_cell_bytes(addr, size, pair), write,
                                     pc))
            return;
    }
    cc_race_check_general(view, addr, size, write, pc);
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
