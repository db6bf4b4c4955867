/* The shadow map: 16 bytes of shadow for every 8-byte word of application
 * memory, and the access descriptors stored in it.
 *
 * Layout. A directory indexed by addr >> 22 (4 MiB of application memory
 * per entry; 2^47 bytes of address space make 2^25 entries) points to
 * chunks of 2^19 cells, one cell per word. The directory is one lazily
 * backed mapping; a chunk (8 MiB of shadow) is mapped the first time any
 * word of its 4 MiB is accessed and installed with a CAS, so two threads
 * that race to map it agree on one. Chunks are never unmapped: a reset
 * gives their pages back with madvise instead, so a cell pointer a thread
 * holds stays valid. Addresses at or above 2^47 (kernel space, which the
 * program cannot touch) have no shadow and are never checked.
 *
 * A cell holds the last write and one read of its word, each an access
 * descriptor (0 = none):
 *   bits  0-7   which bytes of the word (bit i: byte i)
 *   bits  8-22  the HB slot of the thread that accessed it
 *   bit   23    in `read`: another read not ordered with this one was seen
 *               and dropped into the read set (read_set.h); in `write`:
 *               the write was a free()
 *   bit   24    an atomic access (__tsan_atomic*): never races with
 *               another atomic one, only with plain accesses
 *   bits 25-63  the slot's epoch of the access (39 bits)
 *
 * Rules: cells are read and written with relaxed 64-bit atomics and no
 * lock; two accesses that update one cell at the same time can lose one
 * update, which can hide a race but never invent one. The directory
 * exists before any thread checks an access: cc_race_history_new makes it,
 * and no access is checked without a history (history.h). */
#ifndef CC_RACE_SHADOW_H
#define CC_RACE_SHADOW_H

#include <stdint.h>

#include "race.h"

#define CC_SHADOW_ADDR_BITS 47
#define CC_SHADOW_CHUNK_BITS 22 /* application bytes per directory entry: 4 MiB */
#define CC_SHADOW_DIR_ENTRIES (UINT64_C(1) << (CC_SHADOW_ADDR_BITS - CC_SHADOW_CHUNK_BITS))
#define CC_SHADOW_CHUNK_CELLS (UINT64_C(1) << (CC_SHADOW_CHUNK_BITS - 3))

typedef struct cc_shadow_cell {
    uint64_t write;
    uint64_t read;
} cc_shadow_cell_t;
_Static_assert(sizeof(cc_shadow_cell_t) == 16, "one cell per word, 2x shadow");

/* ---- descriptors ----------------------------------------------------------- */

#define CC_DESC_BYTES UINT64_C(0xff)
#define CC_DESC_SLOT_SHIFT 8
#define CC_DESC_SLOT (((UINT64_C(1) << CC_RACE_SLOT_BITS) - 1) << CC_DESC_SLOT_SHIFT)
#define CC_DESC_FLAG (UINT64_C(1) << 23)
#define CC_DESC_ATOMIC (UINT64_C(1) << 24)
#define CC_DESC_EPOCH_SHIFT 25
_Static_assert(CC_DESC_SLOT_SHIFT + CC_RACE_SLOT_BITS == 23, "slot field width");
_Static_assert(CC_DESC_EPOCH_SHIFT + CC_RACE_CLOCK_BITS == 64, "epoch field width");

static inline uint64_t cc_desc_make(uint32_t slot, uint64_t epoch, uint64_t bytes)
{
    return epoch << CC_DESC_EPOCH_SHIFT | (uint64_t)slot << CC_DESC_SLOT_SHIFT | bytes;
}
static inline uint32_t cc_desc_slot(uint64_t d)
{
    return (uint32_t)((d & CC_DESC_SLOT) >> CC_DESC_SLOT_SHIFT);
}
static inline uint64_t cc_desc_epoch(uint64_t d) { return d >> CC_DESC_EPOCH_SHIFT; }
/* Whether accesses d and cur can race at all: they share bytes and are
 * not both atomic. */
static inline bool cc_desc_conflict(uint64_t d, uint64_t cur)
{
    return (d & cur & CC_DESC_BYTES) != 0 && (d & cur & CC_DESC_ATOMIC) == 0;
}
/* Same slot, or (for 0) no access at all. */
static inline bool cc_desc_own_or_empty(uint64_t d, uint64_t cur)
{
    return ((d ^ cur) & CC_DESC_SLOT) == 0 || d == 0;
}

/* ---- the map ---------------------------------------------------------------- */

extern cc_shadow_cell_t **cc_shadow_dir;

/* Maps the directory (once; any thread may call it). */
void cc_shadow_init(void);
/* The cell of the word at addr (< 2^47) whose chunk is not mapped yet:
 * maps it. */
cc_shadow_cell_t *cc_shadow_cell_slow(uint64_t addr);

/* The cell of the word that holds addr; addr < 2^47 and the directory made. */
static inline cc_shadow_cell_t *cc_shadow_cell(uint64_t addr)
{
    cc_shadow_cell_t *chunk =
        __atomic_load_n(&cc_shadow_dir[addr >> CC_SHADOW_CHUNK_BITS], __ATOMIC_ACQUIRE);
    if (CC_UNLIKELY(chunk == NULL))
        return cc_shadow_cell_slow(addr);
    return chunk + ((addr >> 3) & (CC_SHADOW_CHUNK_CELLS - 1));
}

/* The cell of addr if its chunk is mapped, else NULL (never maps). */
cc_shadow_cell_t *cc_shadow_cell_if_mapped(uint64_t addr);

#endif
