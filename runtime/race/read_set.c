/* The reads a shadow cell could not keep (read_set.h). */
#include "read_set.h"

#include "access.h"

enum {
    ENTRIES = 1u << 16, /* 4 MiB of address space, backed as used */
    PROBES = 8,         /* entries looked at for one word */
    WAYS = 7,           /* reads kept per word: one cache line per entry */
};

typedef struct read_entry {
    uint64_t cell; /* the cell's address; 0: free */
    uint64_t reads[WAYS];
} read_entry_t;
_Static_assert(sizeof(read_entry_t) == 64, "one cache line per entry");

static read_entry_t *table; /* made on first use, never moves */

static read_entry_t *table_get(void)
{
    read_entry_t *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (t)
        return t;
    read_entry_t *fresh = cc_map(ENTRIES * sizeof *fresh);
    read_entry_t *expected = NULL;
    if (__atomic_compare_exchange_n(&table, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return fresh;
    /* Lost to another thread: the extra mapping stays (address space only,
     * once per process). */
    return expected;
}

/* The entry of cell c; claimed for it if `claim`, else NULL when it has
 * none. */
static read_entry_t *entry_of(const cc_shadow_cell_t *c, bool claim)
{
    read_entry_t *t = claim ? table_get() : __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (!t)
        return NULL;
    uint64_t key = (uint64_t)(uintptr_t)c;
    uint64_t i = cc_hash64(key);
    for (int p = 0; p < PROBES; p++, i++) {
        read_entry_t *e = &t[i & (ENTRIES - 1)];
        uint64_t k = __atomic_load_n(&e->cell, __ATOMIC_ACQUIRE);
        if (k == key)
            return e;
        if (k == 0 && claim &&
            (__atomic_compare_exchange_n(&e->cell, &k, key, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE) ||
             k == key))
            return e;
    }
    return NULL;
}

static void clear(read_entry_t *e)
{
    for (int w = 0; w < WAYS; w++)
        __atomic_store_n(&e->reads[w], 0, __ATOMIC_RELAXED);
}

void cc_read_set_keep(const cc_shadow_cell_t *c, uint64_t dropped, bool fresh)
{
    read_entry_t *e = entry_of(c, true);
    if (!e)
        return;
    if (fresh)
        clear(e);
    dropped &= ~CC_DESC_FLAG;
    /* The same slot's read of the same bytes is replaced by the newer one:
     * whatever is ordered after the newer is after the older too. */
    uint64_t same = dropped & (CC_DESC_SLOT | CC_DESC_ATOMIC | CC_DESC_BYTES);
    for (int w = 0; w < WAYS; w++) {
        uint64_t kept = __atomic_load_n(&e->reads[w], __ATOMIC_RELAXED);
        while (kept == 0 || (kept & (CC_DESC_SLOT | CC_DESC_ATOMIC | CC_DESC_BYTES)) == same) {
            if (kept != 0 && cc_desc_epoch(kept) >= cc_desc_epoch(dropped))
                return;
            if (__atomic_compare_exchange_n(&e->reads[w], &kept, dropped, false, __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED))
                return;
        }
    }
}

uint64_t cc_read_set_racing(const cc_thread_t *t, const cc_shadow_cell_t *c, uint64_t cur)
{
    read_entry_t *e = entry_of(c, false);
    if (!e)
        return 0;
    for (int w = 0; w < WAYS; w++) {
        uint64_t d = __atomic_load_n(&e->reads[w], __ATOMIC_RELAXED);
        if (d != 0 && !cc_desc_own_or_empty(d, cur) && cc_desc_conflict(d, cur) &&
            !cc_race_ordered(t, d))
            return d;
    }
    return 0;
}

void cc_read_set_forget(const cc_shadow_cell_t *c)
{
    read_entry_t *e = entry_of(c, false);
    if (e)
        clear(e);
}
