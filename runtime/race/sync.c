/* The sync-object table: address -> clocks, for every address a release
 * or an acquire has named (locks, condition variables, semaphores,
 * barriers, once controls, atomics).
 *
 * Design:
 *  - Lookup by address through a fixed array of bucket heads (one lazily
 *    backed mapping). Readers take no lock: they walk the chain, and a node
 *    whose address matches is locked and checked (addr and live, both
 *    changed only under the node's lock), so a stale chain can never hand
 *    out the wrong object.
 *  - A "not found" is only trusted if the chain did not change during the
 *    walk: every change to a chain happens under its stripe's lock
 *    (buckets share STRIPES locks) and moves the stripe's sequence number
 *    to odd and back to even, which the reader compares before and after.
 *  - Dropping objects (cc_race_sync_forget_range, on free() or destroy)
 *    must not stop the world: every live node is also on a chain of a
 *    second table indexed by page (addr >> 12), so a range visits only its
 *    pages' chains, O(pages in range + objects on those pages), and
 *    returns at once for pages that never held an object (one load each).
 *  - A dropped node is unlinked from both chains, its clocks go back to
 *    vclock's free lists under its lock (nobody reads a clock without that
 *    lock), and the node goes on its stripe's free list to serve the next
 *    new address of that stripe. Nodes are never unmapped, so a reader
 *    still holding one (it was walking when the node was dropped) locks
 *    valid memory and sees it dead or moved. Memory is bounded by the most
 *    objects ever live at once (per stripe), not by how many come and go.
 *  - Lock order: page stripe -> bucket stripe -> node -> vclock classes.
 *    The acquire and release paths take only the node lock.
 *
 * A release on an object at the same time as another thread frees its
 * memory is a use after free in the program; the worst it can do here is
 * keep or drop a clock, which hides a race, never invents one. */
#include "sync.h"

#include <string.h>

#include "util.h"

enum {
    BUCKETS = 1u << CC_SYNC_BUCKET_BITS,
    STRIPES = CC_SYNC_STRIPES, /* locks, sequence numbers, free lists */
    PAGE_BUCKETS = 1u << 18,
    PAGE_STRIPES = 4096,
    PAGE_SHIFT = 12,
    /* A walk this long means the chains are changing under it: re-check. */
    MAX_WALK = 1u << 16,
};

typedef struct stripe {
    cc_spinlock_t lock;
    uint32_t seq;      /* odd while one of its chains changes */
    cc_sync_t *free;   /* dead nodes of this stripe, through page_next */
} stripe_t;

static struct {
    cc_spinlock_t init_lock;
    cc_sync_t **buckets;      /* through next */
    cc_sync_t **page_buckets; /* through page_next */
    stripe_t *stripes;
    cc_spinlock_t *page_stripes;
    cc_sync_t *all; /* every node, through all_next */
    uint64_t nodes;
    int ready;
} table;

static void table_init(void)
{
    cc_spin_lock(&table.init_lock);
    if (!__atomic_load_n(&table.ready, __ATOMIC_ACQUIRE)) {
        table.buckets = cc_map(BUCKETS * sizeof *table.buckets);
        table.page_buckets = cc_map(PAGE_BUCKETS * sizeof *table.page_buckets);
        table.stripes = cc_map(STRIPES * sizeof *table.stripes);
        table.page_stripes = cc_map(PAGE_STRIPES * sizeof *table.page_stripes);
        __atomic_store_n(&table.ready, 1, __ATOMIC_RELEASE);
    }
    cc_spin_unlock(&table.init_lock);
}

static inline void table_ensure(void)
{
    if (CC_UNLIKELY(!__atomic_load_n(&table.ready, __ATOMIC_ACQUIRE)))
        table_init();
}

static inline uint32_t bucket_index(uint64_t addr) { return cc_sync_bucket(addr); }
static inline stripe_t *stripe_of(uint32_t bucket) { return &table.stripes[bucket & (STRIPES - 1)]; }
static inline uint32_t page_index(uint64_t page)
{
    return (uint32_t)(cc_hash64(page) & (PAGE_BUCKETS - 1));
}
static inline cc_spinlock_t *page_stripe_of(uint32_t page_bucket)
{
    return &table.page_stripes[page_bucket & (PAGE_STRIPES - 1)];
}

/* ---- readers ------------------------------------------------------------- */

static inline bool claim_if(cc_sync_t *s, uint64_t addr)
{
    if (__atomic_load_n(&s->addr, __ATOMIC_RELAXED) != addr)
        return false;
    cc_spin_lock(&s->lock);
    if (s->addr == addr && s->live)
        return true;
    cc_spin_unlock(&s->lock);
    return false;
}

cc_sync_t *cc_sync_find_locked(uint64_t addr)
{
    table_ensure();
    uint32_t b = bucket_index(addr);
    stripe_t *st = stripe_of(b);
    for (;;) {
        /* A match is checked under the node's lock and needs no more; a
         * miss counts only if no chain of the stripe changed meanwhile. */
        uint32_t seq = __atomic_load_n(&st->seq, __ATOMIC_ACQUIRE);
        uint32_t steps = 0;
        cc_sync_t *s = __atomic_load_n(&table.buckets[b], __ATOMIC_ACQUIRE);
        for (; s && steps < MAX_WALK; s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE), steps++)
            if (claim_if(s, addr))
                return s;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (!s && !(seq & 1) && __atomic_load_n(&st->seq, __ATOMIC_RELAXED) == seq)
            return NULL;
        if (seq & 1)
            cc_yield(); /* a writer is in the stripe: let it finish */
    }
}

/* ---- writers: every chain change is between these two ------------------------ */

static void chain_change_begin(stripe_t *st)
{
    __atomic_store_n(&st->seq, st->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void chain_change_end(stripe_t *st) { __atomic_store_n(&st->seq, st->seq + 1, __ATOMIC_RELEASE); }

/* Stripe lock held. The live node for addr in bucket b, or NULL. */
static cc_sync_t *find_live_locked_stripe(uint32_t b, uint64_t addr)
{
    for (cc_sync_t *s = table.buckets[b]; s; s = s->next)
        if (s->addr == addr && __atomic_load_n(&s->live, __ATOMIC_RELAXED))
            return s;
    return NULL;
}

/* Stripe lock held. A dead node of the stripe, or a new one. */
static cc_sync_t *node_take(stripe_t *st)
{
    cc_sync_t *s = st->free;
    if (s) {
        st->free = s->page_next;
        return s;
    }
    s = cc_alloc(sizeof *s);
    cc_sync_t *head = __atomic_load_n(&table.all, __ATOMIC_RELAXED);
    do
        s->all_next = head;
    while (!__atomic_compare_exchange_n(&table.all, &head, s, true, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
    __atomic_fetch_add(&table.nodes, 1, __ATOMIC_RELAXED);
    return s;
}

/* Makes the object at addr unless it exists. */
static void create(uint64_t addr)
{
    uint32_t b = bucket_index(addr);
    stripe_t *st = stripe_of(b);
    uint32_t pb = page_index(addr >> PAGE_SHIFT);
    cc_spinlock_t *pst = page_stripe_of(pb);
    cc_spin_lock(pst);
    cc_spin_lock(&st->lock);
    if (!find_live_locked_stripe(b, addr)) {
        cc_sync_t *s = node_take(st);
        /* Under its lock: a reader that still holds this node from an
         * earlier life sees either the old dead state or the new one. */
        cc_spin_lock(&s->lock);
        __atomic_store_n(&s->addr, addr, __ATOMIC_RELAXED);
        __atomic_store_n(&s->live, 1, __ATOMIC_RELAXED);
        cc_spin_unlock(&s->lock);
        chain_change_begin(st);
        __atomic_store_n(&s->next, table.buckets[b], __ATOMIC_RELAXED);
        __atomic_store_n(&table.buckets[b], s, __ATOMIC_RELEASE);
        chain_change_end(st);
        s->page_next = table.page_buckets[pb];
        __atomic_store_n(&table.page_buckets[pb], s, __ATOMIC_RELEASE);
    }
    cc_spin_unlock(&st->lock);
    cc_spin_unlock(pst);
}

cc_sync_t *cc_sync_get_locked(uint64_t addr)
{
    for (;;) {
        cc_sync_t *s = cc_sync_find_locked(addr);
        if (CC_LIKELY(s != NULL))
            return s;
        /* Made now; found on the next turn unless a free of its memory
         * dropped it meanwhile (then made again). */
        create(addr);
    }
}

/* Page stripe lock held; s is on a page chain and has been unlinked from
 * it. Drops the object: clocks back, off the bucket chain, onto the free
 * list. */
static void drop(cc_sync_t *s)
{
    uint64_t addr = s->addr; /* only changes on reuse, after this */
    uint32_t b = bucket_index(addr);
    stripe_t *st = stripe_of(b);
    cc_spin_lock(&st->lock);
    cc_spin_lock(&s->lock);
    __atomic_store_n(&s->live, 0, __ATOMIC_RELAXED);
    cc_vclock_free(&s->clock[CC_SYNC_MAIN]);
    cc_vclock_free(&s->clock[CC_SYNC_READ]);
    cc_spin_unlock(&s->lock);
    chain_change_begin(st);
    cc_sync_t **link = &table.buckets[b];
    while (*link && *link != s)
        link = &(*link)->next;
    /* s->next stays as it was: a reader standing on s walks on into its
     * old chain (and the sequence number sends it round again). */
    if (*link)
        __atomic_store_n(link, s->next, __ATOMIC_RELEASE);
    chain_change_end(st);
    s->page_next = st->free;
    st->free = s;
    cc_spin_unlock(&st->lock);
}

/* Drops every object of page bucket pb in [begin, end). */
static void forget_in_page_bucket(uint32_t pb, uint64_t begin, uint64_t end)
{
    if (!__atomic_load_n(&table.page_buckets[pb], __ATOMIC_RELAXED))
        return; /* the common case: no object ever lived on these pages */
    cc_spinlock_t *pst = page_stripe_of(pb);
    cc_spin_lock(pst);
    cc_sync_t **link = &table.page_buckets[pb];
    while (*link) {
        cc_sync_t *s = *link;
        if (s->addr >= begin && s->addr < end) {
            __atomic_store_n(link, s->page_next, __ATOMIC_RELAXED);
            drop(s);
        } else {
            link = &s->page_next;
        }
    }
    cc_spin_unlock(pst);
}

void cc_race_sync_forget_range(uint64_t begin, uint64_t end)
{
    if (begin >= end || !__atomic_load_n(&table.ready, __ATOMIC_ACQUIRE))
        return;
    uint64_t first = begin >> PAGE_SHIFT, last = (end - 1) >> PAGE_SHIFT;
    if (last - first >= PAGE_BUCKETS) {
        /* A range larger than the page table: every chain once. */
        for (uint32_t pb = 0; pb < PAGE_BUCKETS; pb++)
            forget_in_page_bucket(pb, begin, end);
        return;
    }
    for (uint64_t page = first;; page++) {
        forget_in_page_bucket(page_index(page), begin, end);
        if (page == last)
            break;
    }
}

void cc_sync_after_fork_child(void)
{
    if (!__atomic_load_n(&table.ready, __ATOMIC_ACQUIRE))
        return;
    memset(&table.init_lock, 0, sizeof table.init_lock);
    for (uint32_t i = 0; i < STRIPES; i++) {
        table.stripes[i].lock.locked = 0;
        table.stripes[i].seq &= ~1u;
    }
    memset(table.page_stripes, 0, PAGE_STRIPES * sizeof *table.page_stripes);
    for (cc_sync_t *s = table.all; s; s = s->all_next)
        s->lock.locked = 0;
}

void cc_sync_count(uint64_t *live, uint64_t *nodes)
{
    *live = 0;
    *nodes = __atomic_load_n(&table.nodes, __ATOMIC_RELAXED);
    for (cc_sync_t *s = __atomic_load_n(&table.all, __ATOMIC_ACQUIRE); s; s = s->all_next)
        *live += __atomic_load_n(&s->live, __ATOMIC_RELAXED);
}
