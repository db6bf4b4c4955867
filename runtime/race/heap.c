/* Heap blocks: every block malloc handed out while race detection is on,
 * with its size, the thread that allocated it and the allocation stack.
 * free() asks for the block by its address (a free is a write of all of
 * it), reports ask which block holds a racy address (interior pointers
 * included).
 *
 * Layout. One open-addressing hash (linear probing, backward-shift
 * deletion, so freed slots are reused and no tombstones pile up), split in
 * SHARDS shards by the key's hash, each behind its own spinlock: the
 * alloc/free path of a block up to SMALL_MAX takes one shard's lock, never
 * a global one. A shard's slots live in a mapping of their own that
 * doubles when it is 3/4 full; the memory is bounded by the peak number of
 * live blocks: 24 bytes a slot, 32 to 64 bytes a live block.
 *
 * Two kinds of keys share the table:
 *  - block entries, keyed by the block's address (never 0, bit 63 clear);
 *  - granule entries, for the blocks that a short backward scan cannot
 *    find from an interior pointer (see cc_race_heap_find): bigger than
 *    SMALL_MAX, or not 8-aligned. Such a block is recorded in each granule
 *    it overlaps, at the level whose granule is at least 1/16 of its size,
 *    so it is in at most 17 granules whatever its size, and a lookup probes
 *    one granule per level (LEVELS of them). A granule key can repeat
 *    (several blocks meet in one granule): the probe chain holds them all.
 *
 * Rules:
 *  - No malloc (this runs inside malloc): slots come from cc_map.
 *  - A shard's table is reached through one pointer, swapped whole when it
 *    grows, so a child forked in the middle of a growth sees the old table
 *    or the new one; the child's handler frees the shard locks that threads
 *    which do not exist there held. Entries in the middle of a move can be
 *    lost then: a lost block hides a race (its free is not seen), never
 *    invents one.
 *  - A block and its granule entries are in different shards and are not
 *    updated atomically together: a report looking up a block that is being
 *    freed at that moment may miss it. */
#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "race.h"

enum {
    SHARD_BITS = 8,
    SHARDS = 1u << SHARD_BITS,
    INITIAL_SLOTS = 512,
    /* Blocks up to this size starting on an 8-byte boundary are found by a
     * backward scan of SMALL_MAX / 8 probes; most blocks are such. */
    SMALL_MAX = 4096,
    GRANULE_SHIFT = 12, /* level 0: 4 KiB granules */
    LEVEL_SHIFT = 4,    /* each level's granule is 16 times the last */
    LEVELS = (64 - GRANULE_SHIFT + LEVEL_SHIFT - 1) / LEVEL_SHIFT,
};

#define GRANULE_TAG (UINT64_C(1) << 63)

typedef struct heap_entry {
    uint64_t key; /* 0: empty */
    /* A block: its size, and tid | stack << 32. A granule: the block's
     * address and size, so a lookup needs no second probe to test it. */
    uint64_t a, b;
} heap_entry_t;

typedef struct heap_table {
    uint64_t mask; /* slots - 1 */
    uint64_t count;
    size_t bytes;  /* of the mapping */
    heap_entry_t slots[];
} heap_table_t;

typedef struct heap_shard {
    cc_spinlock_t lock;
    heap_table_t *table; /* NULL until the first insert */
} __attribute__((aligned(64))) heap_shard_t;

static heap_shard_t shards[SHARDS];

/* ---- the sharded table ------------------------------------------------ */

static inline uint64_t hash_of(uint64_t key) { return cc_hash64(key); }

static inline heap_shard_t *shard_of(uint64_t key)
{
    return &shards[hash_of(key) >> (64 - SHARD_BITS)];
}

static heap_table_t *table_new(uint64_t slots)
{
    size_t bytes = sizeof(heap_table_t) + slots * sizeof(heap_entry_t);
    heap_table_t *t = cc_map(bytes);
    t->mask = slots - 1;
    t->bytes = bytes;
    return t;
}

static void table_unmap(heap_table_t *t)
{
    int saved_errno = errno;
    syscall(SYS_munmap, t, t->bytes);
    errno = saved_errno;
}

/* The first empty slot of key's probe chain (the table is never full). */
static heap_entry_t *empty_slot(heap_table_t *t, uint64_t key)
{
    for (uint64_t i = hash_of(key) & t->mask;; i = (i + 1) & t->mask)
        if (t->slots[i].key == 0)
            return &t->slots[i];
}

/* Shard locked. Room for one more entry, keeping the load under 3/4 so
 * that probe chains stay short and always end at an empty slot. */
static heap_table_t *reserve(heap_shard_t *s)
{
    heap_table_t *old = s->table;
    if (old && (old->count + 1) * 4 <= (old->mask + 1) * 3)
        return old;
    heap_table_t *t = table_new(old ? (old->mask + 1) * 2 : INITIAL_SLOTS);
    if (old) {
        for (uint64_t i = 0; i <= old->mask; i++)
            if (old->slots[i].key)
                *empty_slot(t, old->slots[i].key) = old->slots[i];
        t->count = old->count;
    }
    /* Complete before it is published (see the fork rule above). */
    __atomic_store_n(&s->table, t, __ATOMIC_RELEASE);
    if (old)
        table_unmap(old);
    return t;
}

/* Shard locked. Empties slot i and moves back the entries after it whose
 * probe chain crosses it, so that every chain stays unbroken. */
static void remove_at(heap_table_t *t, uint64_t i)
{
    uint64_t j = i;
    for (;;) {
        j = (j + 1) & t->mask;
        uint64_t key = t->slots[j].key;
        if (key == 0)
            break;
        uint64_t home = hash_of(key) & t->mask;
        /* The entry at j stays if its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i].key = 0;
    t->count--;
}

/* Shard locked. The slot holding key (and, if match_a, that `a`), or -1. */
static int64_t find_slot(const heap_table_t *t, uint64_t key, bool match_a, uint64_t a)
{
    if (!t)
        return -1;
    for (uint64_t i = hash_of(key) & t->mask;; i = (i + 1) & t->mask) {
        const heap_entry_t *e = &t->slots[i];
        if (e->key == 0)
            return -1;
        if (e->key == key && (!match_a || e->a == a))
            return (int64_t)i;
    }
}

/* Adds an entry; a block entry (`unique`) replaces one with the same
 * address (a block whose free was not seen), whose old entry is returned
 * in *replaced. One walk of the probe chain: the key is absent once an
 * empty slot is reached. */
static bool insert(const heap_entry_t *entry, bool unique, heap_entry_t *replaced)
{
    heap_shard_t *s = shard_of(entry->key);
    bool had = false;
    cc_spin_lock(&s->lock);
    heap_table_t *t = reserve(s);
    for (uint64_t i = hash_of(entry->key) & t->mask;; i = (i + 1) & t->mask) {
        heap_entry_t *e = &t->slots[i];
        if (e->key == 0) {
            *e = *entry;
            t->count++;
            break;
        }
        if (unique && e->key == entry->key) {
            had = true;
            *replaced = *e;
            *e = *entry;
            break;
        }
    }
    cc_spin_unlock(&s->lock);
    return had;
}

/* Removes the entry with key (and `a`, if match_a); copies it to *out. */
static bool take(uint64_t key, bool match_a, uint64_t a, heap_entry_t *out)
{
    heap_shard_t *s = shard_of(key);
    cc_spin_lock(&s->lock);
    int64_t at = find_slot(s->table, key, match_a, a);
    if (at >= 0) {
        *out = s->table->slots[at];
        remove_at(s->table, (uint64_t)at);
    }
    cc_spin_unlock(&s->lock);
    return at >= 0;
}

static bool get(uint64_t key, heap_entry_t *out)
{
    heap_shard_t *s = shard_of(key);
    cc_spin_lock(&s->lock);
    int64_t at = find_slot(s->table, key, false, 0);
    if (at >= 0)
        *out = s->table->slots[at];
    cc_spin_unlock(&s->lock);
    return at >= 0;
}

/* ---- granules ----------------------------------------------------------- */

static inline bool is_small(uint64_t addr, uint64_t size)
{
    return size <= SMALL_MAX && (addr & 7) == 0;
}

static inline unsigned granule_shift(unsigned level)
{
    return GRANULE_SHIFT + LEVEL_SHIFT * level;
}

/* The level whose granules are at least 1/16 of the block's size. */
static unsigned level_of(uint64_t size)
{
    unsigned level = 0;
    while (level + 1 < LEVELS && (size - 1) >> (granule_shift(level) + LEVEL_SHIFT) != 0)
        level++;
    return level;
}

static inline uint64_t granule_key(unsigned level, uint64_t granule)
{
    return GRANULE_TAG | (uint64_t)level << 56 | granule;
}

/* Calls add or remove for every granule of the block. */
static void index_block(uint64_t addr, uint64_t size, bool add)
{
    unsigned level = level_of(size);
    unsigned shift = granule_shift(level);
    uint64_t last = addr + size - 1;
    if (last < addr)
        last = UINT64_MAX; /* a size that wraps: clip it */
    for (uint64_t g = addr >> shift; g <= last >> shift; g++) {
        heap_entry_t e = {granule_key(level, g), addr, size};
        if (add) {
            heap_entry_t unused;
            insert(&e, false, &unused);
        } else {
            take(e.key, true, addr, &e);
        }
    }
}

/* ---- the interface -------------------------------------------------------- */

static void forget_indexed(const heap_entry_t *block)
{
    if (!is_small(block->key, block->a))
        index_block(block->key, block->a, false);
}

void cc_race_heap_allocated(uint64_t addr, uint64_t size, uint32_t stack, uint32_t tid)
{
    if (addr == 0 || (addr & GRANULE_TAG))
        return;
    heap_entry_t old;
    if (size == 0) {
        /* Nothing to find in it: only drop a stale entry for the address. */
        if (take(addr, false, 0, &old))
            forget_indexed(&old);
        return;
    }
    heap_entry_t e = {addr, size, (uint64_t)tid | (uint64_t)stack << 32};
    if (insert(&e, true, &old))
        forget_indexed(&old);
    if (!is_small(addr, size))
        index_block(addr, size, true);
}

uint64_t cc_race_heap_freed(uint64_t addr)
{
    heap_entry_t old;
    if (addr == 0 || (addr & GRANULE_TAG) || !take(addr, false, 0, &old))
        return 0;
    forget_indexed(&old);
    return old.a;
}

bool cc_race_heap_get(uint64_t addr, cc_heap_block_t *out)
{
    if (addr == 0 || (addr & GRANULE_TAG))
        return false;
    heap_entry_t e;
    if (!get(addr, &e))
        return false;
    out->addr = addr;
    out->size = e.a;
    out->alloc_tid = (uint32_t)e.b;
    out->alloc_stack = (uint32_t)(e.b >> 32);
    return true;
}

static inline bool contains(uint64_t start, uint64_t size, uint64_t addr)
{
    return addr >= start && addr - start < size;
}

/* The first block of addr's granule at `level` that holds addr. */
static bool find_in_granule(unsigned level, uint64_t addr, uint64_t *start)
{
    uint64_t key = granule_key(level, addr >> granule_shift(level));
    heap_shard_t *s = shard_of(key);
    bool found = false;
    cc_spin_lock(&s->lock);
    const heap_table_t *t = s->table;
    if (t) {
        for (uint64_t i = hash_of(key) & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
            const heap_entry_t *e = &t->slots[i];
            if (e->key == key && contains(e->a, e->b, addr)) {
                *start = e->a;
                found = true;
                break;
            }
        }
    }
    cc_spin_unlock(&s->lock);
    return found;
}

/* Report path: up to SMALL_MAX / 8 + LEVELS probes. */
bool cc_race_heap_find(uint64_t addr, cc_heap_block_t *out)
{
    if (addr == 0 || (addr & GRANULE_TAG))
        return false;
    /* A small block holding addr starts at most SMALL_MAX - 1 bytes below
     * it, on an 8-byte boundary. The nearest block start at or below addr
     * decides: live blocks do not overlap, so if that block ends before
     * addr, no block that starts lower can hold addr. (One that starts
     * higher, off the 8-byte grid, is in the granules.) */
    uint64_t start = addr & ~UINT64_C(7);
    for (unsigned step = 0; step < SMALL_MAX / 8 && start != 0; step++, start -= 8) {
        if (cc_race_heap_get(start, out)) {
            if (contains(out->addr, out->size, addr))
                return true;
            break;
        }
    }
    for (unsigned level = 0; level < LEVELS; level++) {
        uint64_t found;
        if (find_in_granule(level, addr, &found) && cc_race_heap_get(found, out))
            return contains(out->addr, out->size, addr);
    }
    return false;
}

/* ---- fork ------------------------------------------------------------------ */

/* In the child only the forking thread runs: a shard lock held by another
 * thread at the fork would never be released. */
static void heap_after_fork_child(void)
{
    for (unsigned i = 0; i < SHARDS; i++)
        shards[i].lock.locked = 0;
}

__attribute__((constructor)) static void heap_init(void)
{
    pthread_atfork(NULL, NULL, heap_after_fork_child);
}
