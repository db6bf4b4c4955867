/* Event rings, part headers, the shadow call stack and replay. See
 * history.h for the layout and the rules.
 *
 * Writer and reader agree like a seqlock, per part: the owner clears the
 * part's epoch, fences (release), rewrites the header and the part's
 * events, and stores the epoch again (release); a reader loads the epoch
 * (acquire), reads, fences (acquire) and loads it again. If the reader saw
 * any store made after the owner's fence, the second load cannot return
 * the old epoch. */
#include "history.h"

#include "options.h"
#include "shadow.h"

enum {
    LAP_MASK = (1u << CC_EV_LAP_BITS) - 1,
    MIN_RING_BITS = 10,
    MAX_RING_BITS = 24,
    MAX_PART_BITS = 10, /* replay reads at most 1024 events */
    WINDOW = 256, /* replayed stack frames kept (a power of two) */
};

static uint32_t ring_bits_for(int events)
{
    uint32_t bits = MIN_RING_BITS;
    while (bits < MAX_RING_BITS && (UINT64_C(1) << bits) < (uint64_t)events)
        bits++;
    return bits;
}

cc_race_history_t *cc_race_history_new(void)
{
    /* No access is checked before its thread has a history: the shadow
     * directory is made here, so the access path need not test for it. */
    cc_shadow_init();
    cc_race_history_t *h = cc_alloc(sizeof *h);
    h->ring_bits = ring_bits_for(cc_opt.race_history);
    h->part_bits = h->ring_bits - 2 < MAX_PART_BITS ? h->ring_bits - 2 : MAX_PART_BITS;
    h->n_parts = 1u << (h->ring_bits - h->part_bits);
    h->mask = (UINT64_C(1) << h->ring_bits) - 1;
    h->events = cc_map((h->mask + 1) * sizeof *h->events);
    h->parts = cc_alloc(h->n_parts * sizeof *h->parts);
    h->part_end = 0; /* the first event starts a part */
    return h;
}

static cc_race_history_part_t *part_of(const cc_race_history_t *h, uint64_t epoch)
{
    return &h->parts[(epoch >> h->part_bits) & (h->n_parts - 1)];
}

static uint64_t lap_of(const cc_race_history_t *h, uint64_t epoch)
{
    return (epoch >> h->ring_bits) & LAP_MASK;
}

/* The held set belongs to the slot's current owner: a new owner (a reused
 * slot) starts with none. */
static void claim(cc_race_history_t *h, const cc_thread_t *t)
{
    if (h->owner != t) {
        h->owner = t;
        h->n_held = 0;
        h->held_dropped = 0;
    }
}

/* The owner starts a part at epoch e: its header says what the stack and
 * the held locks are just before the event of e. */
static void start_part(cc_thread_t *t, cc_race_history_t *h, uint64_t e)
{
    cc_race_history_part_t *p = part_of(h, e);
    __atomic_store_n(&p->epoch, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    claim(h, t);

    uint32_t depth = t->race.shadow_depth;
    /* Frames past CC_SHADOW_STACK_MAX are not kept: then none is known. */
    uint32_t n = depth > CC_SHADOW_STACK_MAX ? 0
                 : depth < CC_HISTORY_FRAMES ? depth
                                             : CC_HISTORY_FRAMES;
    for (uint32_t i = 0; i < n; i++)
        __atomic_store_n(&p->frames[i], t->race.shadow_stack[depth - n + i], __ATOMIC_RELAXED);
    __atomic_store_n(&p->depth, depth, __ATOMIC_RELAXED);
    __atomic_store_n(&p->n_frames, n, __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < h->n_held; i++)
        __atomic_store_n(&p->locks[i], h->held[i], __ATOMIC_RELAXED);
    __atomic_store_n(&p->n_locks, h->n_held, __ATOMIC_RELAXED);

    h->lap_tag = lap_of(h, e) << CC_EV_KIND_BITS;
    h->part_end = ((e >> h->part_bits) + 1) << h->part_bits;
    __atomic_store_n(&p->epoch, e, __ATOMIC_RELEASE);
}

uint64_t cc_history_record_slow(cc_thread_t *t, cc_race_event_kind_t kind, uint64_t value)
{
    cc_race_history_t *h = t->race.history;
    if (!h) {
        h = cc_race_slot_history(t->race.slot);
        if (!h)
            return 0;
        t->race.history = h;
    }
    uint64_t e = t->race.epoch + 1;
    if (e > CC_RACE_CLOCK_MAX)
        return 0; /* the slot's clock is used up: nothing more is checked */
    /* A new part, or a new owner of a reused slot (whose stack and locks
     * the current header does not describe). */
    if (e >= h->part_end || h->owner != t)
        start_part(t, h, e);
    cc_history_put(t, h, e, kind, value);
    return e;
}

/* ---- the shadow call stack ------------------------------------------------ */

void cc_shadow_stack_grow(cc_thread_t *t, uint64_t pc)
{
    uint32_t depth = t->race.shadow_depth;
    if (depth >= CC_SHADOW_STACK_MAX)
        return; /* counted by the caller, not kept */
    uint32_t cap = t->race.shadow_cap ? t->race.shadow_cap * 2 : 64;
    if (cap > CC_SHADOW_STACK_MAX)
        cap = CC_SHADOW_STACK_MAX;
    /* Inside the guard: a signal handler's instrumented code stays out
     * instead of re-entering the arena. The old stack stays in the arena
     * (it never frees); doubling bounds the waste. */
    int guard = t->guard;
    t->guard = 1;
    uint64_t *stack = cc_alloc(cap * sizeof *stack);
    for (uint32_t i = 0; i < depth && i < t->race.shadow_cap; i++)
        stack[i] = t->race.shadow_stack[i];
    stack[depth] = pc;
    t->race.shadow_stack = stack;
    t->race.shadow_cap = cap;
    t->guard = guard;
}

/* Exported for libccheck-tsan.a (interpose/tsan_access.c), as is the next. */
CC_EXPORT void cc_history_func_entry(cc_thread_t *t, uint64_t call_pc)
{
    cc_history_record(t, CC_EV_FUNC_ENTRY, call_pc);
    cc_shadow_stack_push(t, call_pc);
}

CC_EXPORT void cc_history_func_exit(cc_thread_t *t)
{
    cc_history_record(t, CC_EV_FUNC_EXIT, 0);
    cc_shadow_stack_pop(t);
}

uint32_t cc_shadow_stack_collect(const cc_thread_t *t, uint64_t pc, uint64_t *out, uint32_t max)
{
    uint32_t n = 0;
    if (max == 0)
        return 0;
    out[n++] = pc;
    uint32_t kept = t->race.shadow_depth;
    if (kept > t->race.shadow_cap)
        kept = t->race.shadow_cap;
    for (uint32_t i = kept; i > 0 && n < max; i--)
        out[n++] = t->race.shadow_stack[i - 1];
    return n;
}

/* ---- held locks -------------------------------------------------------------- */

/* A multiset of lock addresses, at most CC_HISTORY_LOCKS; `dropped`
 * counts acquisitions that did not fit, so that their releases do not
 * remove another entry. */
static void held_apply(uint64_t *held, uint32_t *n, uint32_t *dropped, uint64_t addr, bool acquired)
{
    if (acquired) {
        if (*n < CC_HISTORY_LOCKS)
            held[(*n)++] = addr;
        else
            ++*dropped;
        return;
    }
    for (uint32_t i = *n; i > 0; i--) {
        if (held[i - 1] == addr) {
            for (uint32_t j = i; j < *n; j++)
                held[j - 1] = held[j];
            --*n;
            return;
        }
    }
    if (*dropped)
        --*dropped;
}

void cc_history_lock(cc_thread_t *t, uint64_t lock_addr, bool acquired)
{
    cc_race_history_t *h = t->race.history;
    if (!h)
        return;
    claim(h, t);
    held_apply(h->held, &h->n_held, &h->held_dropped, lock_addr, acquired);
}

/* ---- restoring ------------------------------------------------------------------ */

/* The part that holds epoch, if its header is for that lap and no later
 * than epoch: its header epoch (the seqlock's value), else 0. */
static uint64_t part_begin(const cc_race_history_t *h, uint64_t epoch)
{
    if (!h || epoch == 0)
        return 0;
    uint64_t first = __atomic_load_n(&part_of(h, epoch)->epoch, __ATOMIC_ACQUIRE);
    if (first == 0 || first > epoch || first >> h->part_bits != epoch >> h->part_bits)
        return 0;
    return first;
}

/* Nothing the reader read since part_begin was rewritten. */
static bool part_unchanged(const cc_race_history_t *h, uint64_t epoch, uint64_t first)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&part_of(h, epoch)->epoch, __ATOMIC_RELAXED) == first;
}

/* The event of epoch if it was recorded in its lap, else 0. */
static uint64_t event_at(const cc_race_history_t *h, uint64_t epoch)
{
    uint64_t ev = __atomic_load_n(&h->events[epoch & h->mask], __ATOMIC_RELAXED);
    return ((ev >> CC_EV_KIND_BITS) & LAP_MASK) == lap_of(h, epoch) ? ev : 0;
}

static bool is_access(uint64_t ev)
{
    uint64_t kind = ev & ((1u << CC_EV_KIND_BITS) - 1);
    return kind == CC_EV_READ || kind == CC_EV_WRITE || kind == CC_EV_FREE;
}

bool cc_history_peek(const cc_race_history_t *h, uint64_t epoch, uint64_t *pc,
                     cc_race_event_kind_t *kind)
{
    uint64_t first = part_begin(h, epoch);
    if (!first)
        return false;
    uint64_t ev = event_at(h, epoch);
    if (!part_unchanged(h, epoch, first) || !is_access(ev))
        return false;
    *pc = ev >> CC_EV_VALUE_SHIFT;
    *kind = (cc_race_event_kind_t)(ev & ((1u << CC_EV_KIND_BITS) - 1));
    return true;
}

/* The stack during replay: the innermost WINDOW frames by depth, those
 * from `known` (a depth) up being known. Frames the header did not keep,
 * or that scrolled out of the window, stay unknown. */
typedef struct replay_stack {
    uint32_t depth, known;
    uint64_t frame[WINDOW];
} replay_stack_t;

static void replay_push(replay_stack_t *s, uint64_t pc)
{
    s->frame[s->depth % WINDOW] = pc;
    s->depth++;
    if (s->depth - s->known > WINDOW)
        s->known = s->depth - WINDOW;
}

static void replay_pop(replay_stack_t *s)
{
    if (s->depth > 0)
        s->depth--;
    if (s->known > s->depth)
        s->known = s->depth;
}

bool cc_history_restore(const cc_race_history_t *h, uint64_t epoch, cc_race_restored_t *out)
{
    uint64_t first = part_begin(h, epoch);
    if (!first)
        return false;
    const cc_race_history_part_t *p = part_of(h, epoch);
    replay_stack_t stack;
    stack.depth = __atomic_load_n(&p->depth, __ATOMIC_RELAXED);
    uint32_t n = __atomic_load_n(&p->n_frames, __ATOMIC_RELAXED);
    if (n > CC_HISTORY_FRAMES || n > stack.depth)
        return false; /* torn */
    stack.known = stack.depth - n;
    for (uint32_t i = 0; i < n; i++)
        stack.frame[(stack.known + i) % WINDOW] = __atomic_load_n(&p->frames[i], __ATOMIC_RELAXED);
    uint32_t n_locks = __atomic_load_n(&p->n_locks, __ATOMIC_RELAXED), dropped = 0;
    if (n_locks > CC_HISTORY_LOCKS)
        return false; /* torn */
    for (uint32_t i = 0; i < n_locks; i++)
        out->locks[i] = __atomic_load_n(&p->locks[i], __ATOMIC_RELAXED);

    uint64_t last = 0;
    for (uint64_t e = first; e <= epoch; e++) {
        uint64_t ev = event_at(h, e);
        uint64_t value = ev >> CC_EV_VALUE_SHIFT;
        last = ev;
        switch ((cc_race_event_kind_t)(ev & ((1u << CC_EV_KIND_BITS) - 1))) {
        case CC_EV_FUNC_ENTRY:
            replay_push(&stack, value);
            break;
        case CC_EV_FUNC_EXIT:
            replay_pop(&stack);
            break;
        case CC_EV_LOCK:
        case CC_EV_UNLOCK:
            held_apply(out->locks, &n_locks, &dropped, value,
                       (ev & ((1u << CC_EV_KIND_BITS) - 1)) == CC_EV_LOCK);
            break;
        default: /* accesses, and epochs with no event of this lap */
            break;
        }
    }
    if (!part_unchanged(h, epoch, first) || !is_access(last))
        return false;

    out->kind = (cc_race_event_kind_t)(last & ((1u << CC_EV_KIND_BITS) - 1));
    out->n_locks = n_locks;
    out->n_frames = 0;
    out->frames[out->n_frames++] = last >> CC_EV_VALUE_SHIFT;
    for (uint32_t d = stack.depth; d > stack.known && out->n_frames < CC_TRACE_MAX_FRAMES; d--)
        out->frames[out->n_frames++] = stack.frame[(d - 1) % WINDOW];
    return true;
}
