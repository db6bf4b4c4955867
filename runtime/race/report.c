/* Race records: deduplication by the pair of code locations, the earlier
 * access restored from its slot's history, both threads' held locks, and
 * what the memory is. Also the ranges annotated as benign races.
 *
 * Rules:
 *  - A race is found on the access path, outside the guard (or inside it,
 *    when an interposer checks a range): the report takes the guard if it
 *    is not held, and keeps errno.
 *  - A hot racy loop must not cost a replay per iteration: the pair of
 *    code locations is looked up first, with the earlier access's pc read
 *    from its one history event; only a new pair is replayed and written.
 *  - No lock on the report path but the thread registry's (to find whose
 *    stack the memory is on) and the loader's (dl_iterate_phdr, to find a
 *    module), each for a short walk, only for a new pair. */
#include "access.h"

#include <errno.h>
#include <link.h>
#include <string.h>

#include "lock_table.h"
#include "modules.h"
#include "options.h"
#include "stack.h"
#include "trace.h"

/* ---- benign races (ccheck/annotations.h) -------------------------------------- */

enum { BENIGN_MAX = 1024 };

static struct {
    cc_spinlock_t lock; /* serialises adders; readers take no lock */
    uint32_t n; /* published with release after the entry is complete */
    uint64_t begin[BENIGN_MAX], end[BENIGN_MAX];
} benign;

void cc_race_benign_add(uint64_t addr, uint64_t size)
{
    if (size == 0)
        return;
    cc_spin_lock(&benign.lock);
    uint32_t n = benign.n;
    if (n < BENIGN_MAX) {
        benign.begin[n] = addr;
        benign.end[n] = addr + size < addr ? UINT64_MAX : addr + size;
        __atomic_store_n(&benign.n, n + 1, __ATOMIC_RELEASE);
    }
    cc_spin_unlock(&benign.lock);
}

static bool is_benign(uint64_t addr, uint64_t size)
{
    uint32_t n = __atomic_load_n(&benign.n, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++)
        if (addr < benign.end[i] && addr + size > benign.begin[i])
            return true;
    return false;
}

/* ---- deduplication ---------------------------------------------------------------- */

/* Pairs of code locations reported in this trace (the generation is part of
 * the key: a fork child's trace reports afresh). Lock-free: a slot is
 * claimed by CAS and never freed; a full table reports nothing more. */
enum { PAIRS = 1u << 12, PROBES = 32 };
static uint64_t pairs[PAIRS];

static bool first_time(uint64_t pc, uint64_t prev_pc)
{
    uint64_t key = cc_hash64(cc_hash64(cc_trace_generation() ^ pc) ^ prev_pc) | 1;
    for (uint32_t p = 0, i = (uint32_t)(key >> 32); p < PROBES; p++, i++) {
        i &= PAIRS - 1;
        uint64_t k = __atomic_load_n(&pairs[i], __ATOMIC_ACQUIRE);
        if (k == key)
            return false;
        if (k == 0) {
            if (__atomic_compare_exchange_n(&pairs[i], &k, key, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                return true;
            if (k == key)
                return false; /* another thread claimed it for the same pair */
        }
    }
    return false;
}

static uint32_t records_written;

/* ---- what the memory is --------------------------------------------------------- */

typedef struct memory_search {
    uint64_t addr;
    bool found;
    uint32_t tid;
    uint64_t lo, hi;
} memory_search_t;

static void find_stack(cc_thread_t *t, void *ctx)
{
    memory_search_t *s = ctx;
    uint64_t lo = t->race.stack_lo, hi = t->race.stack_hi;
    if (!s->found && lo < hi && s->addr >= lo && s->addr < hi) {
        s->found = true;
        s->tid = t->tid;
        s->lo = lo;
        s->hi = hi;
    }
}

static int find_module(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    memory_search_t *s = ctx;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t lo = info->dlpi_addr + ph->p_vaddr;
        if (s->addr >= lo && s->addr < lo + ph->p_memsz) {
            s->found = true;
            s->lo = lo;
            s->hi = lo + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

/* HEAP: the block. STACK: the thread and its stack's bounds. GLOBAL: the
 * module segment's bounds (the analyzer names the symbol from the
 * access's address). FD: the descriptor's number, and who made it where
 * (one frame: the call that returned it). */
static void describe_memory(uint64_t addr, cc_rec_race_t *rec)
{
    rec->memory = CC_MEMORY_UNKNOWN;
    rec->mem_thread = CC_TRACE_NO_THREAD;
    rec->mem_stack = CC_TRACE_NO_STACK;
    int fd;
    uint64_t made_pc;
    if (cc_race_fd_describe(addr, &fd, &rec->mem_thread, &made_pc)) {
        rec->memory = CC_MEMORY_FD;
        rec->mem_base = (uint64_t)fd;
        if (made_pc)
            rec->mem_stack = cc_stack_intern(&made_pc, 1);
        return;
    }
    cc_heap_block_t block;
    if (cc_race_heap_find(addr, &block)) {
        rec->memory = CC_MEMORY_HEAP;
        rec->mem_thread = block.alloc_tid;
        rec->mem_stack = block.alloc_stack;
        rec->mem_base = block.addr;
        rec->mem_size = block.size;
        return;
    }
    memory_search_t s = {.addr = addr};
    cc_threads_for_each(find_stack, &s);
    if (s.found) {
        rec->memory = CC_MEMORY_STACK;
        rec->mem_thread = s.tid;
    } else if (dl_iterate_phdr(find_module, &s), s.found) {
        rec->memory = CC_MEMORY_GLOBAL;
    } else {
        return;
    }
    rec->mem_base = s.lo;
    rec->mem_size = s.hi - s.lo;
}

/* ---- the record --------------------------------------------------------------------- */

enum { CURRENT_LOCKS = 64 };

typedef struct race_record {
    cc_rec_race_t rec;
    uint64_t held[CURRENT_LOCKS + CC_HISTORY_LOCKS];
} race_record_t;

static uint32_t stack_depth(void)
{
    uint32_t d = (uint32_t)cc_opt.stack_depth;
    return d > CC_TRACE_MAX_FRAMES ? CC_TRACE_MAX_FRAMES : d;
}

/* The lock ids t holds now. */
static uint32_t current_locks(const cc_thread_t *t, uint64_t *out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->locks.n_held && n < CURRENT_LOCKS; i++) {
        const cc_held_t *h = &t->locks.held[i];
        if (h->id == 0 || !h->lock)
            continue;
        cc_lock_write_record(h->lock);
        out[n++] = h->id;
    }
    return n;
}

/* The ids of the locks at the restored addresses, where the runtime knows
 * them (their current instance). */
static uint32_t restored_locks(const cc_race_restored_t *r, uint64_t *out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_locks; i++) {
        cc_lock_t *lock = cc_lock_find(r->locks[i]);
        uint64_t id = lock ? __atomic_load_n(&lock->id, __ATOMIC_RELAXED) : 0;
        if (id) {
            cc_lock_write_record(lock);
            out[n++] = id;
        }
    }
    return n;
}

static void write_race(cc_thread_t *t, const cc_race_current_t *a, uint64_t prev_addr,
                       uint32_t prev_size, uint64_t prev, bool prev_write)
{
    race_record_t r;
    memset(&r, 0, sizeof r);
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    uint32_t depth = stack_depth();

    cc_modules_refresh(); /* instrumented code may come from a dlopen'ed module */
    cc_race_access_t *cur = &r.rec.current;
    cur->thread = t->tid;
    cur->stack = cc_stack_intern(pcs, cc_shadow_stack_collect(t, a->pc, pcs, depth));
    cur->pc = a->pc;
    cur->addr = a->addr;
    cur->size = (uint32_t)(a->size > UINT32_MAX ? UINT32_MAX : a->size);
    cur->flags = a->flags;
    cur->n_held = current_locks(t, r.held);

    uint32_t slot = cc_desc_slot(prev);
    uint64_t epoch = cc_desc_epoch(prev);
    cc_race_access_t *old = &r.rec.previous;
    old->thread = cc_race_slot_tid(slot, epoch);
    old->addr = prev_addr;
    old->size = prev_size;
    old->flags = prev_write ? CC_ACCESS_WRITE : 0;
    if (prev_write && (prev & CC_DESC_FLAG))
        old->flags |= CC_ACCESS_FREE;
    if (prev & CC_DESC_ATOMIC)
        old->flags |= CC_ACCESS_ATOMIC;
    cc_race_restored_t restored;
    if (cc_history_restore(cc_race_slot_history(slot), epoch, &restored)) {
        uint32_t n = restored.n_frames < depth ? restored.n_frames : depth;
        old->stack = cc_stack_intern(restored.frames, n);
        old->pc = restored.frames[0];
        old->n_held = restored_locks(&restored, r.held + cur->n_held);
        if (restored.kind == CC_EV_FREE)
            old->flags |= CC_ACCESS_FREE | CC_ACCESS_WRITE;
    } else {
        old->stack = CC_TRACE_NO_STACK; /* the ring no longer has it */
        old->pc = 0;
    }

    describe_memory(prev_addr, &r.rec);
    cc_trace_write(CC_REC_RACE, &r.rec.h,
                   (uint32_t)(sizeof r.rec + (cur->n_held + old->n_held) * sizeof r.held[0]));
}

void cc_race_report(cc_thread_t *t, const cc_race_current_t *a, uint64_t word, uint64_t prev,
                    bool prev_write)
{
    if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) != CC_RUNTIME_ON)
        return;
    /* The earlier access's bytes of this word (they overlap the current
     * access's). */
    uint64_t bytes = prev & CC_DESC_BYTES;
    uint32_t lo = (uint32_t)__builtin_ctzll(bytes), hi = 64u - (uint32_t)__builtin_clzll(bytes);
    uint64_t prev_addr = word + lo;
    if (is_benign(prev_addr, hi - lo))
        return;

    int saved_errno = errno;
    int guard = t->guard;
    t->guard = 1;
    uint64_t prev_pc = 0;
    cc_race_event_kind_t kind;
    if (!cc_history_peek(cc_race_slot_history(cc_desc_slot(prev)), cc_desc_epoch(prev), &prev_pc,
                         &kind))
        prev_pc = 0;
    if (first_time(a->pc, prev_pc) && __atomic_fetch_add(&records_written, 1, __ATOMIC_RELAXED) <
                                          (uint32_t)cc_opt.race_report_limit)
        write_race(t, a, prev_addr, hi - lo, prev, prev_write);
    t->guard = guard;
    errno = saved_errno;
}
