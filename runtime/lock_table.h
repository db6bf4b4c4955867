/* Per-lock state, found by the lock's address without any global lock. */
#ifndef CC_LOCK_TABLE_H
#define CC_LOCK_TABLE_H

#include <stdint.h>

#include "ccheck/trace_format.h"

typedef struct cc_lock {
    uint64_t addr;               /* the key; set before the node is published */
    struct cc_lock *next;        /* bucket chain; immutable once published */
    uint64_t id;         /* instance id; 0 after destroy */
    uint64_t site_pc;    /* init call, or first use */
    uint16_t kind;       /* cc_lock_kind_t */
    uint16_t origin;     /* cc_lock_origin_t */
    uint32_t written_generation; /* trace that has its record */
    /* The last destroy (while id is 0, the instance it ended): its id,
     * where and by whom. Read only by the misuse checks (misuse.c). */
    uint32_t destroy_tid;
    /* A mutex's PTHREAD_PRIO_* protocol, from its init call's attribute
     * (prio_inversion.c); PTHREAD_PRIO_NONE (0) for any other instance. */
    uint32_t mutex_protocol;
    uint64_t destroyed_id;
    uint64_t destroy_pc;
    /* A semaphore's initial value, and whether a thread that did not hold
     * it posted it (runtime/sem_lock.c). */
    uint32_t sem_permits;
    uint32_t sem_signals;
    /* A condition variable's state (runtime/notify.c), made on first use. */
    struct cc_cond *cond;
} cc_lock_t;

void cc_lock_table_init(void);

/* The lock at addr, created on first sight (origin: first use at pc). An
 * instance that was destroyed gets a fresh id here. */
cc_lock_t *cc_lock_get(uint64_t addr, cc_lock_kind_t kind, uint64_t pc);
/* The lock at addr, or NULL if the runtime has never seen it. */
cc_lock_t *cc_lock_find(uint64_t addr);

/* An init call at pc: a new instance with a new id. */
cc_lock_t *cc_lock_initialized(uint64_t addr, cc_lock_kind_t kind, uint64_t pc);
/* A destroy call: the next use is a new instance. */
void cc_lock_destroyed(uint64_t addr);

/* Writes the lock's record unless this trace has it. */
void cc_lock_write_record(cc_lock_t *lock);
/* The same for the instance a destroy ended (id 0 now): its record under
 * destroyed_id, so a report about it can name the lock. */
void cc_lock_write_destroyed_record(cc_lock_t *lock);

#endif
