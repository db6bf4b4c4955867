/* Reading one trace file into memory, with every record checked.
 *
 * A trace cut short loads up to its last whole record and says so
 * (`truncated`). A trace that is not a ccheck trace, has a newer version, or
 * holds a damaged record is an error, named with the file and the offset:
 * guessing around damage would give silently wrong reports. */
#ifndef CC_ANALYZER_TRACE_READER_H
#define CC_ANALYZER_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "symbolize.h"

typedef struct cc_trace_stack {
    uint32_t id;
    uint32_t depth;
    uint64_t *pcs;
} cc_trace_stack_t;

/* Everything the trace says about one thread. `seq` fields are record
 * numbers, giving the order events were written in. */
typedef struct cc_trace_thread {
    uint32_t tid;
    bool created;       /* has a create record (T0 and adopted threads do not) */
    uint64_t create_seq;
    uint32_t creator;
    uint32_t flags;     /* CC_THREAD_* */
    uint64_t start_pc;
    uint32_t create_stack;
    bool started;
    uint32_t os_tid;
    bool exited;
    uint64_t exit_seq;
    uint32_t exit_how;
    uint32_t held_at_exit;
    bool joined;
    uint64_t join_seq;
    uint32_t joiner;
    uint32_t join_stack;
    bool detached;      /* created detached, or detached later */
    uint32_t waiting_at_end; /* cc_wait_kind_t it was blocked in at the last end */
    uint32_t detach_stack;
    uint32_t detacher;  /* who detached it later (pthread_detach, thrd_detach) */
} cc_trace_thread_t;

typedef struct cc_trace_lock {
    uint64_t id;
    uint64_t addr;
    uint16_t kind;   /* cc_lock_kind_t */
    uint16_t origin; /* cc_lock_origin_t */
    uint32_t site_stack;
} cc_trace_lock_t;

typedef struct cc_trace_edge {
    uint32_t thread;
    uint64_t from, to;
    uint32_t from_stack, to_stack;
    uint32_t flags; /* CC_EDGE_* */
    uint32_t n_held;
    cc_held_lock_t *held;
} cc_trace_edge_t;

typedef struct cc_trace_misuse {
    uint32_t thread; /* who did it */
    uint32_t kind;   /* cc_misuse_kind_t */
    uint32_t stack;
    uint64_t lock, addr;
    uint32_t other_thread, other_stack;
    int32_t result;
    uint32_t detail;
} cc_trace_misuse_t;

typedef struct cc_trace_stuck {
    uint32_t verdict; /* cc_stuck_verdict_t */
    uint64_t blocked_ms;
    uint32_t n_threads;
    cc_stuck_thread_t *threads;
} cc_trace_stuck_t;

/* A data race as the runtime found it (cc_rec_race_t), checked: held[]
 * has rec.current.n_held + rec.previous.n_held lock ids, the current
 * access's first; NULL when both are 0. */
typedef struct cc_trace_race {
    cc_rec_race_t rec;
    uint64_t *held;
} cc_trace_race_t;

typedef struct cc_trace {
    char *path;
    cc_trace_header_t header;
    uint32_t pid, ppid, origin;
    char *exe; /* "" when unknown */

    cc_module_info_t *modules;
    size_t n_modules;
    cc_trace_stack_t *stacks; /* sorted by id */
    size_t n_stacks;
    cc_trace_thread_t *threads; /* sorted by tid */
    size_t n_threads;
    cc_trace_lock_t *locks; /* sorted by id */
    size_t n_locks;
    cc_trace_edge_t *edges;
    size_t n_edges;
    cc_trace_misuse_t *misuses;
    size_t n_misuses;
    cc_trace_stuck_t *stucks;
    size_t n_stucks;
    uint64_t *signal_sems; /* semaphores that turned out to signal */
    size_t n_signal_sems;
    cc_rec_missed_signal_t *missed; /* waits that missed a lost signal */
    size_t n_missed;
    cc_trace_race_t *races; /* data races, in the order written */
    size_t n_races;

    bool has_end;          /* a process-end record was read */
    uint32_t end_reason;   /* of the last one */
    uint32_t end_thread;   /* the thread that ended the process (wrote it) */
    int32_t end_status;
    uint64_t end_seq;
    bool truncated;        /* ended inside a record */
    uint64_t valid_bytes;  /* where the last whole record ends */
    uint64_t records;
    uint64_t unknown_records; /* of types this version does not know */
} cc_trace_t;

/* Loads `path`. Returns 0, or -1 with a one-line message (naming the file)
 * in err. */
int cc_trace_load(const char *path, cc_trace_t *trace, char *err, size_t err_size);
void cc_trace_free(cc_trace_t *trace);

const cc_trace_stack_t *cc_trace_find_stack(const cc_trace_t *trace, uint32_t id);
const cc_trace_thread_t *cc_trace_find_thread(const cc_trace_t *trace, uint32_t tid);
const cc_trace_lock_t *cc_trace_find_lock(const cc_trace_t *trace, uint64_t id);
/* Whether lock `id` is a semaphore that signals rather than locks. */
bool cc_trace_sem_signals(const cc_trace_t *trace, uint64_t id);

#endif
