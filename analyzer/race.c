/* Data races: the runtime's CC_REC_RACE records (runtime/race/report.c) as
 * findings of kind `data-race`, category `race`.
 *
 * The runtime has judged each record already (two accesses to overlapping
 * bytes from two threads, at least one a write, neither ordered before the
 * other); here they are grouped and worded. One finding per pair of code
 * locations, across every trace given: a location is the symbolized place
 * of an access (module and offset, so runs with other load addresses
 * agree), and the pair is unordered, so "A races with an earlier B" and "B
 * races with an earlier A" are one race. The first record of a pair is the
 * one shown; the message says how often the pair was seen.
 *
 * A finding's stacks, in order: `access` (the access that found the race),
 * `previous` (the earlier one: its restored stack, one frame from its pc,
 * or none when its history was overwritten), `alloc` (a heap block's
 * allocation) or `location` (no frames: a global, a thread stack, unknown
 * memory; for a file descriptor, one frame: the call that made it), then
 * `create` for each of the two threads that has one.
 *
 * A file descriptor's word stands for the descriptor (runtime/race/fd.c):
 * a read of it is a use (read, write, ...), a write its opening (open,
 * pipe, dup, ...), a free its close. Those are worded as such, without
 * the word's address, which is the runtime's own. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "xalloc.h"

/* ---- grouping by the pair of code locations ---------------------------- */

/* Where an access's code is: module path (interned by the symbolizer) and
 * offset; without a module, the raw pc, which only means something within
 * its own trace. */
typedef struct place {
    const char *module;
    uint64_t offset;
    size_t trace; /* SIZE_MAX when module is set */
} place_t;

typedef struct group {
    place_t a, b; /* ordered, see order_places */
    size_t trace, index; /* the first record seen */
    size_t count;
} group_t;

typedef struct groups {
    group_t *items;
    size_t n, cap;
    size_t *slots; /* index + 1 into items, open addressing; 0 is free */
    size_t n_slots;
} groups_t;

/* The access's own pc, else the innermost frame of its stack, else 0. */
static uint64_t access_pc(const cc_trace_t *t, const cc_race_access_t *x)
{
    if (x->pc)
        return x->pc;
    const cc_trace_stack_t *s = cc_trace_find_stack(t, x->stack);
    return s ? s->pcs[0] : 0;
}

static place_t place_of(cc_analysis_t *a, size_t trace, const cc_race_access_t *x)
{
    uint64_t pc = access_pc(&a->traces[trace], x);
    cc_frame_t frame;
    if (pc && cc_symbolize_pc(cc_analysis_symbolizer(a, trace), pc, &frame, 1) && frame.module)
        return (place_t){.module = frame.module, .offset = frame.module_offset, .trace = SIZE_MAX};
    return (place_t){.module = NULL, .offset = pc, .trace = trace};
}

static int cmp_place(const place_t *x, const place_t *y)
{
    if (!x->module != !y->module)
        return x->module ? -1 : 1;
    int c = x->module ? strcmp(x->module, y->module) : (x->trace > y->trace) - (x->trace < y->trace);
    return c ? c : (x->offset > y->offset) - (x->offset < y->offset);
}

static uint64_t hash_place(uint64_t h, const place_t *p)
{
    for (const char *c = p->module ? p->module : ""; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
    h = (h ^ p->offset) * 0x100000001b3ull;
    return (h ^ (p->module ? 0 : p->trace + 1)) * 0x100000001b3ull;
}

static uint64_t hash_pair(const place_t *a, const place_t *b)
{
    return hash_place(hash_place(0xcbf29ce484222325ull, a), b);
}

/* Grows the slot table to keep its load under a half. */
static void rehash(groups_t *g)
{
    if (2 * (g->n + 1) <= g->n_slots)
        return;
    size_t n_slots = g->n_slots ? 2 * g->n_slots : 64;
    size_t *slots = cc_xcalloc(n_slots, sizeof *slots);
    for (size_t i = 0; i < g->n; i++) {
        size_t at = hash_pair(&g->items[i].a, &g->items[i].b) & (n_slots - 1);
        while (slots[at])
            at = (at + 1) & (n_slots - 1);
        slots[at] = i + 1;
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = n_slots;
}

/* Counts record `index` of `trace` in its group, making the group on first
 * sight. */
static void add_to_group(cc_analysis_t *a, groups_t *g, size_t trace, size_t index)
{
    const cc_rec_race_t *r = &a->traces[trace].races[index].rec;
    place_t x = place_of(a, trace, &r->current), y = place_of(a, trace, &r->previous);
    if (cmp_place(&x, &y) > 0) {
        place_t swap = x;
        x = y;
        y = swap;
    }
    rehash(g);
    size_t mask = g->n_slots - 1;
    size_t at = hash_pair(&x, &y) & mask;
    for (; g->slots[at]; at = (at + 1) & mask) {
        group_t *old = &g->items[g->slots[at] - 1];
        if (cmp_place(&old->a, &x) == 0 && cmp_place(&old->b, &y) == 0) {
            old->count++;
            return;
        }
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->items = cc_xreallocarray(g->items, g->cap, sizeof *g->items);
    }
    g->items[g->n++] = (group_t){.a = x, .b = y, .trace = trace, .index = index, .count = 1};
    g->slots[at] = g->n;
}

/* ---- wording --------------------------------------------------------------- */

static bool on_fd(const cc_rec_race_t *r) { return r->memory == CC_MEMORY_FD; }

/* "write of size 4", "atomic read of size 8", "free of the block", "use
 * of file descriptor 5". */
static char *access_text(const cc_rec_race_t *r, const cc_race_access_t *x)
{
    if (on_fd(r))
        return cc_xasprintf("%s of file descriptor %" PRIu64,
                            x->flags & CC_ACCESS_FREE    ? "close"
                            : x->flags & CC_ACCESS_WRITE ? "opening"
                                                         : "use",
                            r->mem_base);
    if (x->flags & CC_ACCESS_FREE)
        return cc_xstrdup("free of the block");
    return cc_xasprintf("%s%s of size %" PRIu32, x->flags & CC_ACCESS_ATOMIC ? "atomic " : "",
                        x->flags & CC_ACCESS_WRITE ? "write" : "read", x->size);
}

/* "thread T2 (worker)", or words for a thread the runtime could no longer
 * name (its slot had been handed to another thread since). */
static char *thread_text(cc_analysis_t *a, size_t trace, uint32_t tid)
{
    if (tid == CC_TRACE_NO_THREAD)
        return cc_xstrdup("a thread that ccheck can no longer name");
    char *label = cc_thread_label(a, trace, tid);
    char *text = cc_xasprintf("thread %s", label);
    free(label);
    return text;
}

/* Locks named per access; more are counted. A thread rarely holds more,
 * and a hostile trace could list thousands. */
enum { MAX_LISTED = 8 };

/* The locks of both accesses, numbered M1, M2, ... in one sequence so that
 * a lock both held has one number. */
typedef struct lock_numbers {
    const uint64_t *ids;
    size_t n;
} lock_numbers_t;

static size_t lock_number(const lock_numbers_t *locks, uint64_t id)
{
    for (size_t i = 0; i < locks->n; i++)
        if (locks->ids[i] == id)
            return i + 1;
    return 0;
}

/* ", holding mutex M1 'table' (...) and mutex M2 (...)". */
static char *held_text(cc_analysis_t *a, size_t trace, const lock_numbers_t *locks,
                       const uint64_t *held, uint32_t n_held, bool known)
{
    if (n_held == 0)
        return cc_xstrdup(known ? ", holding no locks" : "");
    uint32_t listed = n_held < MAX_LISTED ? n_held : MAX_LISTED;
    char *text = cc_xstrdup(", holding ");
    for (uint32_t i = 0; i < listed; i++) {
        char *label = cc_lock_label(a, trace, held[i], lock_number(locks, held[i]));
        const char *sep = i == 0 ? "" : i + 1 == n_held ? " and " : ", ";
        char *next = cc_xasprintf("%s%s%s", text, sep, label);
        free(label);
        free(text);
        text = next;
    }
    if (listed < n_held) {
        char *next = cc_xasprintf("%s and %" PRIu32 " more locks", text, n_held - listed);
        free(text);
        text = next;
    }
    return text;
}

/* The `access` or `previous` stack: the restored stack, else one frame from
 * the access's pc, else a title that says why there is none. */
static void add_access_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace,
                             const lock_numbers_t *locks, const cc_rec_race_t *r,
                             const cc_race_access_t *x, const uint64_t *held, bool previous)
{
    const cc_trace_stack_t *stack = cc_trace_find_stack(&a->traces[trace], x->stack);
    char *what = access_text(r, x);
    if (!previous)
        what[0] = (char)toupper((unsigned char)what[0]);
    char *who = thread_text(a, trace, x->thread);
    /* Without its stack the runtime could not replay the access's history,
     * so its locks are unknown unless it still named some. */
    char *locks_text = held_text(a, trace, locks, held, x->n_held, stack != NULL);
    const char *missing = stack   ? ""
                          : x->pc ? " (only the access itself is known: the rest of its stack "
                                    "was not kept)"
                          : previous
                              ? "; its stack was not kept (the thread's history of events was "
                                "overwritten before the race was found)"
                              : "; its stack was not captured";
    char *at = on_fd(r) ? cc_xstrdup("") : cc_xasprintf(" at %#" PRIx64, x->addr);
    char *title = cc_xasprintf("%s%s%s by %s%s%s", previous ? "Previous " : "", what, at, who,
                               locks_text, missing);
    free(at);
    const char *role = previous ? "previous" : "access";
    if (stack)
        cc_add_stack(a, f, trace, x->stack, role, title, x->thread);
    else
        cc_add_pcs_stack(a, f, trace, &x->pc, x->pc ? 1 : 0, role, title, x->thread);
    free(what);
    free(who);
    free(locks_text);
}

/* A global by its symbol; without one, by its module and offset. NULL when
 * no module maps addr. */
static char *global_text(cc_analysis_t *a, size_t trace, uint64_t addr)
{
    cc_data_symbol_t sym;
    bool named = cc_symbolize_data(cc_analysis_symbolizer(a, trace), addr, &sym);
    if (!sym.module)
        return NULL;
    const char *module = strrchr(sym.module, '/') ? strrchr(sym.module, '/') + 1 : sym.module;
    if (!named)
        return cc_xasprintf("Location: data of %s at %#" PRIx64 " that no symbol names", module,
                            addr);
    char *size = sym.size ? cc_xasprintf("%" PRIu64 " bytes, ", sym.size) : cc_xstrdup("");
    char *text = cc_xasprintf("Location: global '%s' (%sin %s), raced at offset %" PRIu64,
                              sym.name, size, module, sym.offset);
    free(size);
    return text;
}

/* The first byte both accesses touch, the one the location is about (a
 * range access may begin in another object). */
static uint64_t raced_addr(const cc_rec_race_t *r)
{
    return r->current.addr > r->previous.addr ? r->current.addr : r->previous.addr;
}

/* The `alloc` stack of a heap block, or a frameless `location` line. */
static void add_location(cc_analysis_t *a, cc_finding_t *f, size_t trace, const cc_rec_race_t *r)
{
    char *text = NULL;
    uint64_t addr = raced_addr(r);
    switch ((cc_race_memory_t)r->memory) {
    case CC_MEMORY_HEAP: {
        char *who = r->mem_thread == CC_TRACE_NO_THREAD ? NULL
                                                        : thread_text(a, trace, r->mem_thread);
        uint64_t offset = addr - r->mem_base < r->mem_size ? addr - r->mem_base : 0;
        bool kept = cc_trace_find_stack(&a->traces[trace], r->mem_stack) != NULL;
        char *title = cc_xasprintf(
            "Location: heap block of %" PRIu64 " bytes at %#" PRIx64 " (raced at offset "
            "%" PRIu64 "), allocated%s%s%s",
            r->mem_size, r->mem_base, offset, who ? " by " : "", who ? who : "",
            kept ? " here" : "; its allocation stack was not kept");
        cc_add_stack(a, f, trace, r->mem_stack, "alloc", title, r->mem_thread);
        free(who);
        return;
    }
    case CC_MEMORY_STACK: {
        char *who = thread_text(a, trace, r->mem_thread);
        text = cc_xasprintf("Location: stack of %s", who);
        free(who);
        break;
    }
    case CC_MEMORY_FD: {
        if (r->mem_stack == CC_TRACE_NO_STACK) {
            text = cc_xasprintf("Location: file descriptor %" PRIu64 " (ccheck did not see it "
                                "made: inherited, or made by a call it does not follow)",
                                r->mem_base);
            break;
        }
        char *who = thread_text(a, trace, r->mem_thread);
        cc_add_stack(a, f, trace, r->mem_stack, "location",
                     cc_xasprintf("Location: file descriptor %" PRIu64 ", made by %s here",
                                  r->mem_base, who),
                     r->mem_thread);
        free(who);
        return;
    }
    case CC_MEMORY_GLOBAL:
    case CC_MEMORY_UNKNOWN:
        /* The runtime may not know every module's data; the symbol table
         * may still name it. */
        text = global_text(a, trace, addr);
        break;
    }
    if (!text)
        text = cc_xstrdup("Location: unknown memory (not a global, heap block or thread stack "
                          "that ccheck knows of)");
    cc_add_pcs_stack(a, f, trace, NULL, 0, "location", text,
                     r->memory == CC_MEMORY_STACK ? r->mem_thread : r->current.thread);
}

/* Where thread tid was created, unless it is the main thread (or one whose
 * creation was not seen). */
static void add_create_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace, uint32_t tid)
{
    const cc_trace_thread_t *th = cc_trace_find_thread(&a->traces[trace], tid);
    if (tid == CC_TRACE_NO_THREAD || !th || !th->created)
        return;
    char *creator = cc_thread_label(a, trace, th->creator);
    cc_add_stack(a, f, trace, th->create_stack, "create",
                 cc_xasprintf("Thread T%u created by %s here", tid, creator), tid);
    free(creator);
}

static void report(cc_analysis_t *a, size_t trace, const cc_trace_race_t *race, size_t count)
{
    const cc_rec_race_t *r = &race->rec;
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_RACE;
    f->kind = "data-race";
    f->severity = CC_SEVERITY_ERROR;

    char *now = access_text(r, &r->current), *then = access_text(r, &r->previous);
    char *now_who = thread_text(a, trace, r->current.thread);
    char *then_who = thread_text(a, trace, r->previous.thread);
    char *now_at = on_fd(r) ? cc_xstrdup("") : cc_xasprintf(" at %#" PRIx64, r->current.addr);
    char *then_at = r->previous.addr != r->current.addr && !on_fd(r)
                        ? cc_xasprintf(" at %#" PRIx64, r->previous.addr)
                        : cc_xstrdup("");
    char *seen = count > 1 ? cc_xasprintf(" (seen %zu times)", count) : cc_xstrdup("");
    f->message = cc_xasprintf("%s%s by %s races with an earlier %s%s by %s, with "
                              "no happens-before between them%s",
                              now, now_at, now_who, then, then_at, then_who, seen);
    free(now);
    free(now_at);
    free(then);
    free(now_who);
    free(then_who);
    free(then_at);
    free(seen);

    /* Number the locks listed over both accesses, each lock once. held
     * is NULL when no lock was held: no offset from it then. */
    const uint64_t *prev_held = r->previous.n_held ? race->held + r->current.n_held : NULL;
    uint64_t ids[2 * MAX_LISTED];
    lock_numbers_t locks = {.ids = ids};
    for (uint32_t i = 0; i < r->current.n_held && i < MAX_LISTED; i++)
        if (!lock_number(&locks, race->held[i]))
            ids[locks.n++] = race->held[i];
    for (uint32_t i = 0; i < r->previous.n_held && i < MAX_LISTED; i++)
        if (!lock_number(&locks, prev_held[i]))
            ids[locks.n++] = prev_held[i];

    if (r->current.thread != CC_TRACE_NO_THREAD)
        cc_add_thread(a, f, trace, r->current.thread);
    if (r->previous.thread != CC_TRACE_NO_THREAD)
        cc_add_thread(a, f, trace, r->previous.thread);
    add_access_stack(a, f, trace, &locks, r, &r->current, race->held, false);
    add_access_stack(a, f, trace, &locks, r, &r->previous, prev_held, true);
    add_location(a, f, trace, r);
    add_create_stack(a, f, trace, r->current.thread);
    add_create_stack(a, f, trace, r->previous.thread);
}

void cc_analyze_races(cc_analysis_t *a)
{
    groups_t g = {0};
    for (size_t trace = 0; trace < a->n_traces; trace++)
        for (size_t i = 0; i < a->traces[trace].n_races; i++)
            add_to_group(a, &g, trace, i);
    for (size_t i = 0; i < g.n; i++)
        report(a, g.items[i].trace, &a->traces[g.items[i].trace].races[g.items[i].index],
               g.items[i].count);
    free(g.items);
    free(g.slots);
}
