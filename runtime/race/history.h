/* Each HB slot's ring of recent events, and the shadow call stack, so that
 * the stack and held locks of an earlier access can be restored when a
 * later one races with it.
 *
 * The ring holds 2^k 8-byte events (option race_history); the event of
 * epoch e sits at index e mod 2^k. It is cut into parts of PART events;
 * when the owner's first event of a part is recorded, the part gets a
 * header: that event's epoch, the innermost frames of the shadow call
 * stack and the locks held at that moment. To restore the access of
 * (slot, epoch), replay the part from its header up to that event.
 *
 * An event: bits 0-2 its kind, bits 3-15 the low bits of its lap (epoch
 * >> k), bits 16-63 its pc or lock address. The lap tells an event of
 * this lap from a stale one in a slot the owner skipped (an epoch that
 * advanced without an event of ours), which replay ignores.
 *
 * Rules:
 *  - Only the slot's owner writes its ring; any thread may read it while
 *    it is written. A reader checks the part header's epoch before and
 *    after replay (the owner clears it, then fences, before it reuses the
 *    part): a replay that may have read a rewritten event counts as not
 *    restored. Torn reads are detected, never believed.
 *  - Recording an event is a few stores and one compare; starting a part
 *    (every PART events) is the only out-of-line step. */
#ifndef CC_RACE_HISTORY_H
#define CC_RACE_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "race.h"
#include "thread.h"

typedef enum cc_race_event_kind {
    CC_EV_NONE = 0,
    CC_EV_READ = 1,
    CC_EV_WRITE = 2,
    CC_EV_FREE = 3,
    CC_EV_FUNC_ENTRY = 4, /* value: the call site (return address into the caller) */
    CC_EV_FUNC_EXIT = 5,
    CC_EV_LOCK = 6, /* value: the lock's address */
    CC_EV_UNLOCK = 7,
} cc_race_event_kind_t;

enum {
    CC_EV_KIND_BITS = 3,
    CC_EV_LAP_BITS = 13,
    CC_EV_VALUE_SHIFT = CC_EV_KIND_BITS + CC_EV_LAP_BITS, /* 48 bits of value */
    CC_HISTORY_FRAMES = 64, /* shadow stack frames kept per part header */
    CC_HISTORY_LOCKS = 16, /* held locks kept per part header and restored */
    CC_SHADOW_STACK_MAX = 4096, /* deeper calls are counted, not kept */
};

typedef struct cc_race_history_part {
    /* Epoch of the part's first recorded event; 0 while it is rewritten. */
    uint64_t epoch;
    uint32_t depth; /* shadow stack depth at that moment */
    uint32_t n_frames; /* innermost frames kept, outermost first */
    uint32_t n_locks;
    uint32_t reserved;
    uint64_t frames[CC_HISTORY_FRAMES];
    uint64_t locks[CC_HISTORY_LOCKS];
} cc_race_history_part_t;

struct cc_race_history {
    uint64_t *events;
    uint64_t mask; /* events - 1 */
    uint32_t ring_bits;
    uint32_t part_bits;
    uint32_t n_parts;
    /* The owner's state (written by the owner only). */
    uint64_t lap_tag; /* the current part's lap, shifted into place */
    uint64_t part_end; /* first epoch of the next part */
    const void *owner; /* the cc_thread_t whose held set this is */
    uint32_t n_held; /* locks held now, as lock events say */
    uint32_t held_dropped; /* acquisitions past CC_HISTORY_LOCKS */
    uint64_t held[CC_HISTORY_LOCKS];
    cc_race_history_part_t *parts;
};

/* The out-of-line part of cc_history_record: no history yet, or a new part
 * begins. Returns the event's epoch, or 0 if the thread must not record
 * (its clock is used up). */
uint64_t cc_history_record_slow(cc_thread_t *t, cc_race_event_kind_t kind, uint64_t value);

/* Whether t's next event, of epoch e, can be put in its history h with
 * nothing out of line: a history, the current part, the slot's known
 * owner. */
static inline __attribute__((always_inline)) bool
cc_history_can_put(const cc_thread_t *t, const cc_race_history_t *h, uint64_t e)
{
    return CC_LIKELY(h != NULL && e < h->part_end && h->owner == t);
}

/* Puts t's next event, of epoch e, in h (cc_history_can_put holds). */
static inline __attribute__((always_inline)) void
cc_history_put(cc_thread_t *t, cc_race_history_t *h, uint64_t e, cc_race_event_kind_t kind,
               uint64_t value)
{
    t->race.epoch = e;
    __atomic_store_n(&h->events[e & h->mask], value << CC_EV_VALUE_SHIFT | h->lap_tag | kind,
                     __ATOMIC_RELAXED);
}

/* Records an event of t if that needs nothing out of line and returns its
 * epoch; else 0, with nothing changed. */
static inline __attribute__((always_inline)) uint64_t
cc_history_record_fast(cc_thread_t *t, cc_race_event_kind_t kind, uint64_t value)
{
    cc_race_history_t *h = t->race.history;
    uint64_t e = t->race.epoch + 1;
    if (!cc_history_can_put(t, h, e))
        return 0;
    cc_history_put(t, h, e, kind, value);
    return e;
}

/* Records an event of t and returns its epoch (t's clock after it), or 0
 * if nothing may be recorded. t is active. */
static inline __attribute__((always_inline)) uint64_t
cc_history_record(cc_thread_t *t, cc_race_event_kind_t kind, uint64_t value)
{
    uint64_t e = cc_history_record_fast(t, kind, value);
    return CC_LIKELY(e != 0) ? e : cc_history_record_slow(t, kind, value);
}

/* ---- the shadow call stack ------------------------------------------------ */

void cc_shadow_stack_grow(cc_thread_t *t, uint64_t pc);

static inline void cc_shadow_stack_push(cc_thread_t *t, uint64_t pc)
{
    uint32_t d = t->race.shadow_depth;
    if (CC_LIKELY(d < t->race.shadow_cap))
        t->race.shadow_stack[d] = pc;
    else
        cc_shadow_stack_grow(t, pc);
    t->race.shadow_depth = d + 1;
}

static inline void cc_shadow_stack_pop(cc_thread_t *t)
{
    /* An exit with no entry: the thread became active inside a function,
     * or an exception skipped a frame's exit (gcc does not instrument
     * unwinding). */
    if (CC_LIKELY(t->race.shadow_depth > 0))
        t->race.shadow_depth--;
}

/* __tsan_func_entry / __tsan_func_exit of an active thread, out of line.
 * The event comes first: if it starts a history part, the part's header
 * must show the stack as it was before the event, which replay applies. */
void cc_history_func_entry(cc_thread_t *t, uint64_t call_pc);
void cc_history_func_exit(cc_thread_t *t);

/* The same inline: a leaf for the common case (room on the stack, the
 * event in the current part), else a tail call of the above. */
static inline __attribute__((always_inline)) void cc_history_func_entry_inline(cc_thread_t *t,
                                                                               uint64_t call_pc)
{
    uint32_t d = t->race.shadow_depth;
    if (CC_LIKELY(d < t->race.shadow_cap) && cc_history_record_fast(t, CC_EV_FUNC_ENTRY, call_pc)) {
        t->race.shadow_stack[d] = call_pc;
        t->race.shadow_depth = d + 1;
        return;
    }
    cc_history_func_entry(t, call_pc);
}

static inline __attribute__((always_inline)) void cc_history_func_exit_inline(cc_thread_t *t)
{
    uint32_t d = t->race.shadow_depth;
    if (CC_LIKELY(d > 0) && cc_history_record_fast(t, CC_EV_FUNC_EXIT, 0)) {
        t->race.shadow_depth = d - 1;
        return;
    }
    cc_history_func_exit(t);
}

/* t's current stack for a report: pc, then the shadow stack's call sites
 * innermost first; at most max frames. Returns the count. */
uint32_t cc_shadow_stack_collect(const cc_thread_t *t, uint64_t pc, uint64_t *out, uint32_t max);

/* ---- lock events ---------------------------------------------------------------- */

/* The held set a part header snapshots, kept as lock events say. */
void cc_history_lock(cc_thread_t *t, uint64_t lock_addr, bool acquired);

/* ---- restoring ------------------------------------------------------------------ */

typedef struct cc_race_restored {
    cc_race_event_kind_t kind; /* CC_EV_READ, CC_EV_WRITE or CC_EV_FREE */
    uint32_t n_frames; /* frames[0] is the access's pc */
    uint64_t frames[CC_TRACE_MAX_FRAMES];
    uint32_t n_locks;
    uint64_t locks[CC_HISTORY_LOCKS]; /* lock addresses, oldest first */
} cc_race_restored_t;

/* The access event of (h, epoch): its pc and kind, without replay (cheap,
 * for deduplication). False if the ring no longer has it. */
bool cc_history_peek(const cc_race_history_t *h, uint64_t epoch, uint64_t *pc,
                     cc_race_event_kind_t *kind);
/* Replays the part that holds epoch up to it. False if the ring no longer
 * has the part, the event is not an access, or the owner rewrote the part
 * while it was read. */
bool cc_history_restore(const cc_race_history_t *h, uint64_t epoch, cc_race_restored_t *out);

#endif
