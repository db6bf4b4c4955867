/* Held locks and lock-order edges, per thread.
 *
 * Each thread keeps the stack of locks it holds and the set of edges
 * (from, to, flags) it has already written. An acquisition while holding
 * locks looks its edges up in that set; only an edge the thread has not
 * written before costs an unwind and a record. Nothing here is shared
 * between threads, so the hot path takes no lock. */
#ifndef CC_LOCK_ORDER_H
#define CC_LOCK_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "util.h"

struct cc_lock;
struct cc_thread;

typedef struct cc_held {
    uint64_t addr;    /* the lock's address, compared on release */
    struct cc_lock *lock;
    uint64_t id;      /* the instance id when it was taken */
    cc_caller_t at;   /* where it was taken */
    uint32_t stack;   /* its full stack, once one was needed; else 0 */
    uint32_t flags;   /* CC_ACQUIRE_* */
    uint64_t since;   /* when it was taken, with hold_threshold_ms (hold_time.h); else unset */
    bool new_edge;    /* scratch: its edge to the lock being taken is new */
    /* Padding to 64 bytes: every lock and unlock indexes the held stack,
     * and a power of two makes that one shift. */
    uint8_t padding[7];
} cc_held_t;
_Static_assert(sizeof(cc_held_t) == 64, "held entries index by shift");

enum {
    CC_ACQUIRE_TRY = 1u << 0,  /* trylock or timed: cannot wait forever */
    CC_ACQUIRE_READ = 1u << 1, /* a shared (read) lock */
};

enum { CC_LOCK_CACHE = 8 }; /* per-thread address -> lock cache entries */

typedef struct cc_lock_order_thread {
    /* The locks this thread used last. An address maps to the same
     * cc_lock_t forever (nodes are reused in place), so entries never go
     * stale; a destroyed lock shows as id 0 and takes the slow path. */
    uint64_t cache_addr[CC_LOCK_CACHE];
    struct cc_lock *cache_lock[CC_LOCK_CACHE];
    cc_held_t *held;
    uint32_t n_held, cap_held;
    uint64_t *edges; /* open addressing: pairs (from, to|flags), 0 = empty */
    uint32_t n_edges, cap_edges;
    cc_held_t held_inline[8];
} cc_lock_order_thread_t;

/* Empties the state for a new thread, keeping its memory. */
void cc_lock_order_thread_reset(cc_lock_order_thread_t *lo);
/* Forgets which edges were written (a fork child's new trace lacks them). */
void cc_lock_order_forget_edges(cc_lock_order_thread_t *lo);

/* The per-operation entry points are in lock_hot_path.h; these are what
 * they fall back on, out of line so the hot path saves no registers. */

/* A full acquisition: registers the thread if needed, takes the guard. */
void cc_lock_acquired_slow(void *addr, cc_lock_kind_t kind, uint32_t flags, cc_caller_t at);
/* A release of a lock that is not on top of the held stack, or of any
 * lock while hold times are measured; `at` is the releasing call. */
void cc_lock_released_slow(void *addr, cc_caller_t at);
/* The same two, for a caller inside the runtime already (cc_enter). The
 * release says whether the thread held the lock; it is not timed
 * (semaphores use it, see hold_time.h). */
void cc_lock_acquired_entered(struct cc_thread *t, void *addr, cc_lock_kind_t kind,
                              uint32_t flags, cc_caller_t at);
bool cc_lock_released_entered(struct cc_thread *t, void *addr);
/* The same for an unlock call, which must hold the lock: one the thread
 * does not hold goes to the misuse checks (misuse.h). */
void cc_lock_unlocked_slow(void *addr, cc_caller_t at);
/* The lock at addr, found in the lock table and cached. */
struct cc_lock *cc_lock_lookup_slow(cc_lock_order_thread_t *lo, uint64_t addr,
                                    cc_lock_kind_t kind, uint64_t pc);
/* Records the edges the top of the held stack makes with the locks below
 * it. The caller holds the guard. */
void cc_lock_add_edges(struct cc_thread *t);

static inline size_t cc_lock_cache_slot(uint64_t addr) { return (addr >> 4) & (CC_LOCK_CACHE - 1); }

#endif
