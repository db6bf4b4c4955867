/* Vector clocks: storage in power-of-two size classes, with a free list per
 * class, so clocks of sync objects that come and go are recycled.
 *
 * Rules:
 *  - Never malloc: storage comes from the arena (cc_alloc) and, once given
 *    back, from the class's free list. It is never unmapped, so a stale
 *    pointer can read a wrong clock but never fault.
 *  - A clock has one writer at a time (its thread, or the holder of its
 *    sync object's spinlock); this file does no locking of the clock
 *    itself, only of the free lists (one spinlock per class, held for a
 *    push or a pop).
 *  - Entries from n to cap are undefined (recycled storage is not zeroed):
 *    every operation that raises n writes the entries it adds.
 *  - Growth stores the new storage before the new capacity and the old
 *    storage goes back last, so a fork child that inherits a half-grown
 *    clock sees a capacity no larger than its storage. */
#include "race.h"

#include <string.h>

#include "sync.h"

enum {
    MIN_SHIFT = 3, /* 8 entries: most programs have fewer threads */
    MAX_SHIFT = CC_RACE_SLOT_BITS,
    N_CLASSES = MAX_SHIFT - MIN_SHIFT + 1,
};

typedef struct free_block {
    struct free_block *next;
} free_block_t;

/* One cache line per class: threads that free clocks of different sizes
 * do not bounce each other's lines. */
static struct size_class {
    cc_spinlock_t lock;
    free_block_t *free;
    char pad[64 - sizeof(cc_spinlock_t) - sizeof(free_block_t *)];
} classes[N_CLASSES] __attribute__((aligned(64)));

static unsigned class_of(uint32_t cap)
{
    return (unsigned)__builtin_ctz(cap) - MIN_SHIFT;
}

/* The smallest class capacity that holds `need` entries. */
static uint32_t capacity_for(uint32_t need)
{
    uint32_t cap = 1u << MIN_SHIFT;
    while (cap < need)
        cap <<= 1;
    return cap;
}

static uint64_t *storage_get(uint32_t cap)
{
    struct size_class *k = &classes[class_of(cap)];
    cc_spin_lock(&k->lock);
    free_block_t *b = k->free;
    if (b)
        k->free = b->next;
    cc_spin_unlock(&k->lock);
    return b ? (uint64_t *)b : cc_alloc((size_t)cap * sizeof(uint64_t));
}

static void storage_put(uint64_t *c, uint32_t cap)
{
    struct size_class *k = &classes[class_of(cap)];
    free_block_t *b = (free_block_t *)c;
    cc_spin_lock(&k->lock);
    b->next = k->free;
    k->free = b;
    cc_spin_unlock(&k->lock);
}

/* Makes room for `need` entries, keeping the first n. */
static void reserve(cc_vclock_t *v, uint32_t need)
{
    if (CC_LIKELY(need <= v->cap))
        return;
    if (need > CC_RACE_MAX_SLOTS)
        cc_die("vector clock of %u entries (at most %u slots)", need, CC_RACE_MAX_SLOTS);
    uint32_t cap = capacity_for(need);
    uint64_t *c = storage_get(cap);
    uint64_t *old = v->c;
    uint32_t old_cap = v->cap;
    if (v->n)
        memcpy(c, old, (size_t)v->n * sizeof *c);
    /* See the rules: storage, then capacity, then the old block back. */
    __atomic_store_n(&v->c, c, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&v->cap, cap, __ATOMIC_RELAXED);
    if (old)
        storage_put(old, old_cap);
}

void cc_vclock_set(cc_vclock_t *v, uint32_t slot, uint64_t clock)
{
    if (slot >= v->n) {
        reserve(v, slot + 1);
        memset(v->c + v->n, 0, (size_t)(slot - v->n) * sizeof *v->c);
        v->n = slot + 1;
    }
    v->c[slot] = clock;
}

void cc_vclock_join(cc_vclock_t *dst, const cc_vclock_t *src)
{
    uint32_t n = src->n;
    if (n > dst->n) {
        reserve(dst, n);
        memcpy(dst->c + dst->n, src->c + dst->n, (size_t)(n - dst->n) * sizeof *dst->c);
        n = dst->n; /* the rest: entries both have */
        dst->n = src->n;
    }
    uint64_t *d = dst->c;
    const uint64_t *s = src->c;
    for (uint32_t i = 0; i < n; i++)
        d[i] = s[i] > d[i] ? s[i] : d[i];
}

void cc_vclock_assign(cc_vclock_t *dst, const cc_vclock_t *src)
{
    reserve(dst, src->n);
    if (src->n)
        memcpy(dst->c, src->c, (size_t)src->n * sizeof *dst->c);
    dst->n = src->n;
}

void cc_vclock_free(cc_vclock_t *v)
{
    if (v->c)
        storage_put(v->c, v->cap);
    v->c = NULL;
    v->n = 0;
    v->cap = 0;
}

void cc_vclock_fork_prepare(void)
{
    for (unsigned i = 0; i < N_CLASSES; i++)
        cc_spin_lock(&classes[i].lock);
}

void cc_vclock_fork_release(void)
{
    for (unsigned i = N_CLASSES; i-- > 0;)
        cc_spin_unlock(&classes[i].lock);
}
