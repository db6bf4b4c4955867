/* The lock table: address -> cc_lock_t.
 *
 * Rules:
 *  - Lock-free for readers: a fixed array of bucket heads (a large lazily
 *    backed mapping, so untouched buckets cost nothing), chains that only
 *    grow at the head by CAS, nodes that never move or go away. A node is
 *    reused in place when its address is initialised again.
 *  - Memory grows with the number of distinct lock addresses ever seen, not
 *    with the number of lock operations.
 *  - Instance ids come from one atomic counter, touched only when a lock is
 *    first seen or re-initialised.
 *  - A lock first seen in use (no init call) has its memory checked once,
 *    when its instance is made here, for values no initialisation leaves
 *    (misuse.h): the lookups of every later lock and unlock never are. */
#include "lock_table.h"

#include "misuse.h"
#include "stack.h"
#include "trace.h"
#include "util.h"

enum { LOCK_BUCKETS = 1u << 20 };

static struct {
    cc_lock_t **buckets;
    uint64_t next_id;
} table;

void cc_lock_table_init(void)
{
    table.buckets = cc_map(LOCK_BUCKETS * sizeof *table.buckets);
    table.next_id = 1;
}

static inline cc_lock_t **bucket_of(uint64_t addr)
{
    return &table.buckets[cc_hash64(addr) & (LOCK_BUCKETS - 1)];
}

static cc_lock_t *find_in(cc_lock_t *head, uint64_t addr)
{
    for (cc_lock_t *l = head; l; l = l->next)
        if (l->addr == addr)
            return l;
    return NULL;
}

cc_lock_t *cc_lock_find(uint64_t addr)
{
    return find_in(__atomic_load_n(bucket_of(addr), __ATOMIC_ACQUIRE), addr);
}

static uint64_t new_id(void) { return __atomic_fetch_add(&table.next_id, 1, __ATOMIC_RELAXED); }

static void set_instance(cc_lock_t *l, cc_lock_kind_t kind, cc_lock_origin_t origin, uint64_t pc)
{
    __atomic_store_n(&l->kind, (uint16_t)kind, __ATOMIC_RELAXED);
    __atomic_store_n(&l->origin, (uint16_t)origin, __ATOMIC_RELAXED);
    __atomic_store_n(&l->site_pc, pc, __ATOMIC_RELAXED);
    __atomic_store_n(&l->written_generation, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->mutex_protocol, 0, __ATOMIC_RELAXED);
}

/* Finds or inserts the node for addr; a new node has id 0 and origin set. */
static cc_lock_t *find_or_insert(uint64_t addr, cc_lock_kind_t kind, cc_lock_origin_t origin,
                                 uint64_t pc, bool *inserted)
{
    cc_lock_t **bucket = bucket_of(addr);
    cc_lock_t *fresh = NULL;
    *inserted = false;
    for (;;) {
        cc_lock_t *head = __atomic_load_n(bucket, __ATOMIC_ACQUIRE);
        cc_lock_t *found = find_in(head, addr);
        if (found)
            return found; /* `fresh`, if any, lost a race: bounded waste */
        if (!fresh) {
            fresh = cc_alloc(sizeof *fresh);
            fresh->addr = addr;
            set_instance(fresh, kind, origin, pc);
            fresh->id = new_id();
        }
        fresh->next = head;
        if (__atomic_compare_exchange_n(bucket, &head, fresh, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED)) {
            *inserted = true;
            return fresh;
        }
    }
}

cc_lock_t *cc_lock_get(uint64_t addr, cc_lock_kind_t kind, uint64_t pc)
{
    cc_lock_t *l = cc_lock_find(addr);
    if (CC_LIKELY(l != NULL && __atomic_load_n(&l->id, __ATOMIC_RELAXED) != 0))
        return l;
    bool inserted;
    l = find_or_insert(addr, kind, CC_LOCK_FROM_FIRST_USE, pc, &inserted);
    uint64_t none = 0;
    bool made = inserted;
    if (!inserted && __atomic_load_n(&l->id, __ATOMIC_RELAXED) == 0) {
        /* Used again after destroy without init (a static initializer
         * assigned anew): a new instance. Whoever wins the CAS sets it. */
        uint64_t id = new_id();
        made = __atomic_compare_exchange_n(&l->id, &none, id, false, __ATOMIC_ACQ_REL,
                                           __ATOMIC_RELAXED);
        if (made)
            set_instance(l, kind, CC_LOCK_FROM_FIRST_USE, pc);
    }
    /* After the real lock call: it has written what a lock writes, and
     * the check reads only what it does not. */
    if (made)
        cc_misuse_first_use(l, kind, pc);
    return l;
}

cc_lock_t *cc_lock_initialized(uint64_t addr, cc_lock_kind_t kind, uint64_t pc)
{
    bool inserted;
    cc_lock_t *l = find_or_insert(addr, kind, CC_LOCK_FROM_INIT, pc, &inserted);
    if (!inserted) {
        set_instance(l, kind, CC_LOCK_FROM_INIT, pc);
        __atomic_store_n(&l->id, new_id(), __ATOMIC_RELEASE);
    }
    return l;
}

void cc_lock_destroyed(uint64_t addr)
{
    cc_lock_t *l = cc_lock_find(addr);
    if (!l)
        return;
    uint64_t id = __atomic_exchange_n(&l->id, 0, __ATOMIC_ACQ_REL);
    if (id != 0)
        __atomic_store_n(&l->destroyed_id, id, __ATOMIC_RELAXED);
}

static void write_record(cc_lock_t *l, uint64_t id)
{
    uint32_t generation = cc_trace_generation();
    uint32_t seen = __atomic_load_n(&l->written_generation, __ATOMIC_ACQUIRE);
    if (id == 0 || seen == generation ||
        !__atomic_compare_exchange_n(&l->written_generation, &seen, generation, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    /* The site is one frame: a full unwind per lock instance would cost
     * too much for programs with millions of locks. */
    uint64_t pc = __atomic_load_n(&l->site_pc, __ATOMIC_RELAXED);
    cc_rec_lock_t rec;
    rec.id = id;
    rec.addr = l->addr;
    rec.kind = __atomic_load_n(&l->kind, __ATOMIC_RELAXED);
    rec.origin = __atomic_load_n(&l->origin, __ATOMIC_RELAXED);
    rec.site_stack = cc_stack_intern(&pc, 1);
    cc_trace_write(CC_REC_LOCK, &rec.h, sizeof rec);
}

void cc_lock_write_record(cc_lock_t *l) { write_record(l, __atomic_load_n(&l->id, __ATOMIC_RELAXED)); }

/* written_generation belongs to the last instance until a new one starts
 * (set_instance clears it), so the destroyed instance is written once. */
void cc_lock_write_destroyed_record(cc_lock_t *l)
{
    write_record(l, __atomic_load_n(&l->destroyed_id, __ATOMIC_RELAXED));
}
