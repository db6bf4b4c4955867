/* Private to runtime/race/: the sync-object table (sync.c), and the fork
 * hooks of vclock.c that hb.c calls. See race.h for the public side. */
#ifndef CC_RACE_SYNC_H
#define CC_RACE_SYNC_H

#include <stdint.h>

#include "race.h"

/* The clocks of one synchronising address. Nodes never go away: a dropped
 * object's node is marked dead (its clocks given back) and later reused
 * for another address, so a pointer to a node is always safe to lock.
 * `addr` and `live` change only under `lock`; a node is the object at addr
 * only if, under its lock, addr matches and live is set. */
typedef struct cc_sync {
    uint64_t addr;
    struct cc_sync *next;      /* bucket chain (sync.c) */
    struct cc_sync *page_next; /* page index chain; the free list when dead */
    struct cc_sync *all_next;  /* every node ever made, for the fork child */
    cc_spinlock_t lock;
    uint32_t live;
    cc_vclock_t clock[2]; /* CC_SYNC_MAIN, CC_SYNC_READ */
} cc_sync_t;

/* Buckets by address, and the stripes (locks, sequence numbers, free
 * lists) they share: bucket & (CC_SYNC_STRIPES - 1). Here so that a test
 * can make objects that share chains. */
#define CC_SYNC_BUCKET_BITS 20
#define CC_SYNC_STRIPES 4096u
static inline uint32_t cc_sync_bucket(uint64_t addr)
{
    return (uint32_t)(cc_hash64(addr) & ((UINT32_C(1) << CC_SYNC_BUCKET_BITS) - 1));
}

/* The live object at addr, locked; NULL if there is none. */
cc_sync_t *cc_sync_find_locked(uint64_t addr);
/* The object at addr, locked; made (with empty clocks) if there is none. */
cc_sync_t *cc_sync_get_locked(uint64_t addr);
static inline void cc_sync_unlock(cc_sync_t *s) { cc_spin_unlock(&s->lock); }

/* In a fork child: every lock of the table is free again (the threads
 * that held them are gone). */
void cc_sync_after_fork_child(void);
/* For tests: how many objects are live, and how many nodes exist. */
void cc_sync_count(uint64_t *live, uint64_t *nodes);

/* vclock.c's free-list locks, taken around fork so that the child never
 * inherits a half-updated free list. */
void cc_vclock_fork_prepare(void);
void cc_vclock_fork_release(void);

#endif
