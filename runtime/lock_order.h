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
    struct cc_lock *lock;
    uint64_t id;      /* the instance id when it was taken */
    cc_caller_t at;   /* where it was taken */
    uint32_t stack;   /* its full stack, once one was needed; else 0 */
    uint32_t flags;   /* CC_ACQUIRE_* */
    bool new_edge;    /* scratch: its edge to the lock being taken is new */
} cc_held_t;

enum {
    CC_ACQUIRE_TRY = 1u << 0,  /* trylock or timed: cannot wait forever */
    CC_ACQUIRE_READ = 1u << 1, /* a shared (read) lock */
};

typedef struct cc_lock_order_thread {
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

void cc_lock_acquired(struct cc_thread *t, void *addr, cc_lock_kind_t kind, uint32_t flags,
                      cc_caller_t at);
void cc_lock_released(struct cc_thread *t, void *addr);

#endif
