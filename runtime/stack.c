/* Stack capture and the stack depot.
 *
 * Rules:
 *  - The depot is a lock-free hash table: insert by CAS on a bucket head,
 *    entries never move or go away. Two threads interning the same new stack
 *    race on the CAS; the loser finds the winner's entry and only the winner
 *    writes the record.
 *  - A record is written once per trace: entries remember the trace
 *    generation they were written in, so a fork child (new trace, same
 *    memory) writes them again when it uses them.
 *  - libunwind and the module map call dl_iterate_phdr, which takes the
 *    loader's write lock; that is never held while program code runs
 *    (constructors run under the separate load lock), so unwinding is safe
 *    from any interposed call. */
#include "stack.h"

#include <errno.h>
#include <link.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "modules.h"
#include "options.h"
#include "trace.h"

enum { DEPOT_BUCKETS = 1u << 16 };

typedef struct depot_entry {
    struct depot_entry *next;
    uint64_t hash;
    uint32_t id;
    uint32_t written_generation;
    uint32_t depth;
    uint64_t pcs[];
} depot_entry_t;

static struct {
    depot_entry_t **buckets;
    uint32_t next_id;
} depot;

/* The runtime's own code when it is a shared library. A created thread's
 * stack ends in the trampoline (then start_thread and clone): the program's
 * part ends at the frame before it. */
static struct {
    uint64_t lo, hi;
} self_code;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uint64_t here = (uint64_t)(uintptr_t)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uint64_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || here < lo || here >= lo + ph->p_memsz)
            continue;
        /* Linked into a program (the unit tests): that is program code. */
        if (info->dlpi_name && info->dlpi_name[0]) {
            self_code.lo = lo;
            self_code.hi = lo + ph->p_memsz;
        }
        return 1;
    }
    return 0;
}

void cc_stack_init(void)
{
    depot.buckets = cc_map(DEPOT_BUCKETS * sizeof *depot.buckets);
    depot.next_id = 1; /* 0 is CC_TRACE_NO_STACK */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    dl_iterate_phdr(find_self, (void *)(uintptr_t)cc_stack_init);
}

void cc_stack_new_trace(void)
{
    /* Nothing to clear: entries compare their generation with the trace's. */
}

static void write_stack_record(const depot_entry_t *e)
{
    struct {
        cc_rec_stack_t rec;
        uint64_t pcs[CC_TRACE_MAX_FRAMES];
    } buf;
    buf.rec.id = e->id;
    buf.rec.depth = e->depth;
    memcpy(buf.pcs, e->pcs, e->depth * sizeof e->pcs[0]);
    cc_trace_write(CC_REC_STACK, &buf.rec.h,
                   (uint32_t)(sizeof buf.rec + e->depth * sizeof e->pcs[0]));
}

/* Writes the entry's record unless this trace has it already. */
static void ensure_written(depot_entry_t *e)
{
    uint32_t generation = cc_trace_generation();
    uint32_t seen = __atomic_load_n(&e->written_generation, __ATOMIC_ACQUIRE);
    if (seen == generation)
        return;
    if (__atomic_compare_exchange_n(&e->written_generation, &seen, generation, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        write_stack_record(e);
}

uint32_t cc_stack_intern(const uint64_t *pcs, uint32_t n)
{
    if (n == 0)
        return CC_TRACE_NO_STACK;
    if (n > CC_TRACE_MAX_FRAMES)
        n = CC_TRACE_MAX_FRAMES;
    uint64_t hash = n;
    for (uint32_t i = 0; i < n; i++)
        hash = cc_hash64(hash ^ pcs[i]);
    depot_entry_t **bucket = &depot.buckets[hash & (DEPOT_BUCKETS - 1)];
    depot_entry_t *fresh = NULL;
    for (;;) {
        depot_entry_t *head = __atomic_load_n(bucket, __ATOMIC_ACQUIRE);
        for (depot_entry_t *e = head; e; e = e->next) {
            if (e->hash == hash && e->depth == n && memcmp(e->pcs, pcs, n * sizeof *pcs) == 0) {
                /* `fresh`, if any, lost the race; it stays unused in the
                 * arena (a rare, bounded waste). */
                ensure_written(e);
                return e->id;
            }
        }
        if (!fresh) {
            fresh = cc_alloc(sizeof *fresh + n * sizeof *pcs);
            fresh->hash = hash;
            fresh->depth = n;
            memcpy(fresh->pcs, pcs, n * sizeof *pcs);
            /* Complete before it is published: a thread that finds it may
             * write its record at once. (A lost race wastes the id.) */
            fresh->id = __atomic_fetch_add(&depot.next_id, 1, __ATOMIC_RELAXED);
        }
        fresh->next = head;
        if (__atomic_compare_exchange_n(bucket, &head, fresh, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED)) {
            ensure_written(fresh);
            return fresh->id;
        }
    }
}

/* The frames from the caller outwards. The runtime's own frames come
 * first and are skipped: those below the interposer's CFA, or, when only
 * the caller's pc is known (`by_pc`), those before the first frame that
 * returns to it. */
static void unwind(cc_caller_t from, bool by_pc, cc_unwound_t *out)
{
    int saved_errno = errno; /* libunwind may probe memory with syscalls */
    out->n = 0;
    uint32_t max = (uint32_t)cc_opt.stack_depth;
    /* New modules may have been loaded (lazily, or by dlopen) since the last
     * capture. */
    cc_modules_refresh();
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) == 0 && unw_init_local(&cursor, &context) == 0) {
        do {
            unw_word_t ip = 0, sp = 0;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 ||
                unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0)
                break;
            if (out->n == 0 && (by_pc ? ip != from.pc : sp < from.cfa))
                continue;
            if (out->n > 0 && ip >= self_code.lo && ip < self_code.hi)
                break; /* the thread trampoline */
            out->pc[out->n] = ip;
            out->sp[out->n] = sp;
            out->n++;
        } while (out->n < max && unw_step(&cursor) > 0);
    }
    if (out->n == 0 || out->pc[0] != from.pc) {
        /* No unwind info: keep what is certain. */
        out->pc[0] = from.pc;
        out->sp[0] = from.cfa;
        out->n = 1;
    }
    errno = saved_errno;
}

void cc_unwind(cc_caller_t from, cc_unwound_t *out) { unwind(from, false, out); }

void cc_unwind_from_pc(uint64_t pc, cc_unwound_t *out)
{
    unwind((cc_caller_t){.pc = pc, .cfa = 0}, true, out);
}

uint32_t cc_stack_here(cc_caller_t from)
{
    cc_unwound_t now;
    cc_unwind(from, &now);
    return cc_stack_intern(now.pc, now.n);
}

uint32_t cc_stack_earlier(const cc_unwound_t *now, cc_caller_t then)
{
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    uint32_t n = 0;
    pcs[n++] = then.pc;
    for (uint32_t i = 0; i < now->n && n < CC_TRACE_MAX_FRAMES; i++)
        if (now->sp[i] > then.cfa)
            pcs[n++] = now->pc[i];
    return cc_stack_intern(pcs, n);
}
