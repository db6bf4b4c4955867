/* The ccheck trace format: the one contract between libccheck.so (writer)
 * and the ccheck analyzer (reader). docs/trace-format.md describes it in
 * prose; this header is the authority.
 *
 * Rules that must hold:
 *  - A trace is a cc_trace_header_t followed by records. Every record starts
 *    with a cc_rec_header_t whose `size` covers the whole record, header
 *    included, and is a multiple of 8. So a reader can always skip to the
 *    next record, and a trace cut short (kill -9, disk full) reads up to its
 *    last whole record.
 *  - Every record is written with one write(2) on an O_APPEND descriptor, so
 *    records from different threads never interleave.
 *  - `crc` is CRC-32 (IEEE) of the payload (the bytes after the header), so a
 *    corrupted record is told apart from a truncated one.
 *  - Records may refer to ids (stacks, locks, threads) defined by records that
 *    come later in the file: the writer does not order them. The reader
 *    resolves references after it has read everything.
 *  - Only fixed-width little-endian fields; no pointers. Each record type's
 *    fixed part has its size checked below; variable parts follow it.
 *  - Adding a record type is compatible (readers skip unknown types with a
 *    warning); changing a record's layout bumps CC_TRACE_VERSION.
 */
#ifndef CCHECK_TRACE_FORMAT_H
#define CCHECK_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define CC_TRACE_MAGIC "CCHKTRC\n"
#define CC_TRACE_MAGIC_LEN 8
#define CC_TRACE_VERSION 1u

/* Limits shared by writer and reader; a reader rejects records beyond them. */
#define CC_TRACE_MAX_RECORD (1u << 20)
#define CC_TRACE_MAX_FRAMES 64u
#define CC_TRACE_MAX_BUILD_ID 64u
#define CC_TRACE_NO_STACK 0u /* stack id 0 means "no stack captured" */
#define CC_TRACE_NO_THREAD UINT32_MAX

typedef struct cc_trace_header {
    char magic[CC_TRACE_MAGIC_LEN];
    uint32_t version;
    uint32_t header_size; /* sizeof(cc_trace_header_t) for this version */
    uint32_t pid;
    uint32_t ppid;
    uint64_t start_realtime_ns; /* CLOCK_REALTIME when the trace was opened */
    uint64_t start_monotonic_ns;
} cc_trace_header_t;
_Static_assert(sizeof(cc_trace_header_t) == 40, "trace header layout");

typedef enum cc_rec_type {
    CC_REC_PROCESS = 1,       /* cc_rec_process_t + exe path + argv */
    CC_REC_MODULE = 2,        /* cc_rec_module_t + build id + path */
    CC_REC_STACK = 3,         /* cc_rec_stack_t + uint64_t pcs[depth] */
    CC_REC_THREAD_CREATE = 4, /* cc_rec_thread_create_t */
    CC_REC_THREAD_START = 5,  /* cc_rec_thread_start_t */
    CC_REC_THREAD_EXIT = 6,   /* cc_rec_thread_exit_t */
    CC_REC_THREAD_JOIN = 7,   /* cc_rec_thread_join_t */
    CC_REC_THREAD_DETACH = 8, /* cc_rec_thread_detach_t */
    CC_REC_LOCK = 9,          /* cc_rec_lock_t */
    CC_REC_LOCK_EDGE = 10,    /* cc_rec_lock_edge_t + cc_held_lock_t[n_held] */
    CC_REC_PROCESS_END = 11,  /* cc_rec_process_end_t */
    CC_REC_THREAD_WAITING = 12, /* cc_rec_thread_waiting_t */
    CC_REC_MISUSE = 13,         /* cc_rec_misuse_t */
    CC_REC_STUCK = 14,          /* cc_rec_stuck_t + cc_stuck_thread_t[n_threads] */
    CC_REC_SEM_SIGNALS = 15,    /* cc_rec_sem_signals_t */
    CC_REC_MISSED_SIGNAL = 16,  /* cc_rec_missed_signal_t */
    CC_REC_RACE = 17,           /* cc_rec_race_t + uint64_t held[] */
    CC_REC_TYPE_COUNT
} cc_rec_type_t;

typedef struct cc_rec_header {
    uint32_t size;   /* whole record, header included; multiple of 8 */
    uint16_t type;   /* cc_rec_type_t */
    uint16_t zero;   /* must be 0 */
    uint32_t crc;    /* CRC-32 of the payload */
    uint32_t thread; /* ccheck thread id of the writer (T0 is main) */
} cc_rec_header_t;
_Static_assert(sizeof(cc_rec_header_t) == 16, "record header layout");

/* How this process came to be. */
typedef enum cc_process_origin {
    CC_ORIGIN_START = 0, /* the runtime started with the program */
    CC_ORIGIN_FORK = 1,  /* a fork child; the parent's trace is ppid's */
} cc_process_origin_t;

typedef struct cc_rec_process {
    cc_rec_header_t h;
    uint32_t pid;
    uint32_t ppid;
    uint32_t origin;   /* cc_process_origin_t */
    uint32_t exe_len;  /* bytes of exe path that follow (no NUL) */
    uint32_t argv_len; /* bytes of NUL-separated argv after the path */
    uint32_t reserved;
    /* char exe[exe_len]; char argv[argv_len]; padding to 8 */
} cc_rec_process_t;
_Static_assert(sizeof(cc_rec_process_t) == 40, "process record layout");

/* One loaded ELF object, as the dynamic loader maps it. `bias` is the
 * loader's l_addr: file virtual address + bias = run-time address. */
typedef struct cc_rec_module {
    cc_rec_header_t h;
    uint32_t id;
    uint32_t build_id_len; /* bytes of GNU build id that follow */
    uint64_t bias;
    uint64_t start; /* lowest mapped address of its PT_LOAD segments */
    uint64_t end;   /* one past the highest */
    uint32_t path_len;
    uint32_t reserved;
    /* uint8_t build_id[build_id_len]; char path[path_len]; padding to 8 */
} cc_rec_module_t;
_Static_assert(sizeof(cc_rec_module_t) == 56, "module record layout");

/* A call stack, written once per distinct stack. pcs[0] is the innermost
 * frame: the return address into the code that called the intercepted
 * function. All pcs are return addresses; a symbolizer looks up pc - 1. */
typedef struct cc_rec_stack {
    cc_rec_header_t h;
    uint32_t id; /* never CC_TRACE_NO_STACK */
    uint32_t depth;
    /* uint64_t pcs[depth]; */
} cc_rec_stack_t;
_Static_assert(sizeof(cc_rec_stack_t) == 24, "stack record layout");

enum {
    CC_THREAD_DETACHED = 1u << 0, /* created detached */
    CC_THREAD_C11 = 1u << 1,      /* created by thrd_create */
};

/* Written by the parent once the thread exists. h.thread is the creator. */
typedef struct cc_rec_thread_create {
    cc_rec_header_t h;
    uint32_t child;
    uint32_t flags;       /* CC_THREAD_* */
    uint64_t start_pc;    /* the start routine */
    uint32_t create_stack;
    uint32_t reserved;
} cc_rec_thread_create_t;
_Static_assert(sizeof(cc_rec_thread_create_t) == 40, "create record layout");

/* Written by a thread when the runtime first sees it run. */
typedef struct cc_rec_thread_start {
    cc_rec_header_t h;
    uint32_t os_tid;
    uint32_t reserved;
} cc_rec_thread_start_t;
_Static_assert(sizeof(cc_rec_thread_start_t) == 24, "start record layout");

typedef enum cc_thread_exit_how {
    CC_EXIT_RETURN = 0,       /* returned from its start routine */
    CC_EXIT_PTHREAD_EXIT = 1, /* pthread_exit / thrd_exit */
    CC_EXIT_UNWOUND = 2,      /* cancelled (or exited from a cleanup path) */
} cc_thread_exit_how_t;

typedef struct cc_rec_thread_exit {
    cc_rec_header_t h;
    uint32_t how; /* cc_thread_exit_how_t */
    uint32_t held_locks;
} cc_rec_thread_exit_t;
_Static_assert(sizeof(cc_rec_thread_exit_t) == 24, "exit record layout");

/* A join that succeeded. h.thread joined `target`. */
typedef struct cc_rec_thread_join {
    cc_rec_header_t h;
    uint32_t target;
    uint32_t stack;
} cc_rec_thread_join_t;
_Static_assert(sizeof(cc_rec_thread_join_t) == 24, "join record layout");

typedef struct cc_rec_thread_detach {
    cc_rec_header_t h;
    uint32_t target;
    uint32_t stack;
} cc_rec_thread_detach_t;
_Static_assert(sizeof(cc_rec_thread_detach_t) == 24, "detach record layout");

typedef enum cc_lock_kind {
    CC_LOCK_MUTEX = 1,
    CC_LOCK_RWLOCK = 2,
    CC_LOCK_SPIN = 3,
    CC_LOCK_C11_MTX = 4,
    CC_LOCK_SEM = 5, /* a semaphore of one permit, taken and given back by a thread */
    CC_LOCK_COND = 6, /* a condition variable (not a lock; it shares the table) */
} cc_lock_kind_t;

typedef enum cc_lock_origin {
    CC_LOCK_FROM_INIT = 0,       /* an explicit init call */
    CC_LOCK_FROM_FIRST_USE = 1,  /* static initializer: seen first in use */
} cc_lock_origin_t;

/* A lock instance, written the first time the runtime sees it (and again
 * after it is destroyed and initialised anew, with a new id). */
typedef struct cc_rec_lock {
    cc_rec_header_t h;
    uint64_t id;
    uint64_t addr;
    uint16_t kind;   /* cc_lock_kind_t */
    uint16_t origin; /* cc_lock_origin_t */
    uint32_t site_stack; /* where it was initialised or first used */
} cc_rec_lock_t;
_Static_assert(sizeof(cc_rec_lock_t) == 40, "lock record layout");

enum {
    CC_EDGE_TO_TRY = 1u << 0,   /* `to` was taken by a trylock variant */
    CC_EDGE_TO_READ = 1u << 1,  /* `to` was taken as a read lock */
    CC_EDGE_FROM_READ = 1u << 2, /* `from` is held as a read lock */
};

enum { CC_HELD_READ = 1u << 0 };

/* Another lock the thread held when the edge was made (for gate-lock
 * filtering). */
typedef struct cc_held_lock {
    uint64_t id;
    uint32_t flags; /* CC_HELD_* */
    uint32_t reserved;
} cc_held_lock_t;
_Static_assert(sizeof(cc_held_lock_t) == 16, "held lock layout");

/* Thread h.thread acquired `to` while holding `from`. Written once per
 * (thread, from, to). */
typedef struct cc_rec_lock_edge {
    cc_rec_header_t h;
    uint64_t from;
    uint64_t to;
    uint32_t from_stack; /* where `from` was acquired */
    uint32_t to_stack;   /* where `to` was acquired */
    uint32_t flags;      /* CC_EDGE_* */
    uint32_t n_held;     /* other held locks that follow */
    /* cc_held_lock_t held[n_held]; */
} cc_rec_lock_edge_t;
_Static_assert(sizeof(cc_rec_lock_edge_t) == 48, "edge record layout");

/* What a thread is blocked in. */
typedef enum cc_wait_kind {
    CC_WAIT_NONE = 0,
    CC_WAIT_COND = 1,    /* pthread_cond_*wait, cnd_*wait */
    CC_WAIT_SEM = 2,     /* sem_*wait */
    CC_WAIT_BARRIER = 3, /* pthread_barrier_wait */
    CC_WAIT_JOIN = 4,    /* pthread_join, thrd_join */
    CC_WAIT_LOCK = 5,    /* a mutex, write lock, spinlock or C11 mtx */
    CC_WAIT_READ_LOCK = 6, /* a read lock */
} cc_wait_kind_t;

/* Written just before a process-end record, once for every live thread
 * that is blocked at that moment: such a thread is idle, not cut off in the
 * middle of its work. */
typedef struct cc_rec_thread_waiting {
    cc_rec_header_t h;
    uint32_t tid;
    uint32_t kind; /* cc_wait_kind_t */
    uint64_t object; /* address of what it waits on */
} cc_rec_thread_waiting_t;
_Static_assert(sizeof(cc_rec_thread_waiting_t) == 32, "waiting record layout");

/* Lock misuse seen by the runtime, as it happened. */
typedef enum cc_misuse_kind {
    CC_MISUSE_UNLOCK_NOT_OWNED = 1, /* unlock of a lock another thread holds */
    CC_MISUSE_DOUBLE_UNLOCK = 2,    /* unlock of a lock nobody holds */
    CC_MISUSE_DESTROY_LOCKED = 3,   /* destroy of a lock that is held */
    CC_MISUSE_USE_AFTER_DESTROY = 4, /* lock/unlock of a destroyed lock */
    CC_MISUSE_EXIT_HOLDING_LOCK = 5, /* a thread ended holding the lock */
    CC_MISUSE_RECURSIVE_WRLOCK = 6, /* wrlock of an rwlock this thread holds */
    CC_MISUSE_ERRORCHECK = 7,       /* an error-checking mutex said EDEADLK/EPERM */
    CC_MISUSE_UNINITIALIZED = 8,    /* lock of a lock never initialised */
    CC_MISUSE_COND_UNHELD_MUTEX = 9,  /* cond wait with a mutex the thread does not hold */
    CC_MISUSE_COND_MUTEX_MISMATCH = 10, /* cond wait with another mutex than other waiters */
    CC_MISUSE_DESTROY_WITH_WAITERS = 11, /* destroy of a cond, sem or barrier with waiters */
    CC_MISUSE_SIGNAL_UNLOCKED = 12, /* signal/broadcast without holding the waiters' mutex */
    CC_MISUSE_SEM_OVERFLOW = 13,    /* sem_post past SEM_VALUE_MAX (EOVERFLOW) */
    CC_MISUSE_SEM_INVALID = 14,     /* post/wait/destroy of a destroyed or never-initialised sem */
    CC_MISUSE_SEM_BOUND = 15,       /* post above the initial value (bounded_semaphore=1) */
    CC_MISUSE_DOUBLE_JOIN = 16,     /* join of a thread already joined */
    CC_MISUSE_JOIN_DETACHED = 17,   /* join of a detached thread */
    CC_MISUSE_HELD_TOO_LONG = 18,   /* a lock held longer than hold_threshold_ms */
    CC_MISUSE_PRIORITY_INVERSION = 19, /* a real-time thread blocks on a lower one's mutex */
} cc_misuse_kind_t;

/* One misuse. h.thread did it at `stack`. `other_thread`/`other_stack`
 * name the related earlier event (where the holder took the lock, where it
 * was destroyed), or CC_TRACE_NO_THREAD / CC_TRACE_NO_STACK. `result` and
 * `detail` are numbers some kinds carry, else 0:
 *  - lock-held-too-long: result the threshold, detail the hold, in ms;
 *  - priority-inversion: result the waiter's, detail the holder's
 *    scheduling (CC_SCHED_PACK);
 *  - the others: result the real call's return value, where it matters. */
typedef struct cc_rec_misuse {
    cc_rec_header_t h;
    uint32_t kind; /* cc_misuse_kind_t */
    uint32_t stack;
    uint64_t lock;  /* lock id, 0 if unknown */
    uint64_t addr;  /* the object's address */
    uint32_t other_thread;
    uint32_t other_stack;
    int32_t result;
    uint32_t detail;
} cc_rec_misuse_t;
_Static_assert(sizeof(cc_rec_misuse_t) == 56, "misuse record layout");

/* A thread's scheduling in one number: its policy (SCHED_OTHER 0,
 * SCHED_FIFO 1, SCHED_RR 2, SCHED_BATCH 3, SCHED_IDLE 5, SCHED_DEADLINE 6)
 * and its real-time priority (0, or 1 to 99 under SCHED_FIFO/SCHED_RR). */
#define CC_SCHED_PACK(policy, priority) ((uint32_t)(policy) << 8 | ((uint32_t)(priority) & 0xffu))
#define CC_SCHED_POLICY(packed) ((int)((uint32_t)(packed) >> 8))
#define CC_SCHED_PRIORITY(packed) ((int)((uint32_t)(packed) & 0xffu))

/* What the watchdog found when threads stayed blocked. */
typedef enum cc_stuck_verdict {
    CC_STUCK_DEADLOCK = 1,      /* a cycle in the wait-for graph */
    CC_STUCK_SELF_DEADLOCK = 2, /* a thread waits for itself */
    CC_STUCK_HANG = 3,          /* every live thread blocked, none can wake */
} cc_stuck_verdict_t;

typedef struct cc_rec_stuck {
    cc_rec_header_t h;
    uint32_t verdict; /* cc_stuck_verdict_t */
    uint32_t n_threads;
    uint64_t blocked_ms; /* how long the youngest wait had lasted */
} cc_rec_stuck_t;
_Static_assert(sizeof(cc_rec_stuck_t) == 32, "stuck record layout");

/* One blocked thread in a cc_rec_stuck_t: what it waits for, on what, where
 * (`stack`), and for a lock or join who it waits on (`holder`) and where
 * that thread took the lock (`holder_stack`). */
typedef struct cc_stuck_thread {
    uint32_t tid;
    uint32_t kind; /* cc_wait_kind_t */
    uint64_t object;
    uint64_t lock; /* lock id, 0 if not a lock */
    uint32_t stack;
    uint32_t holder; /* CC_TRACE_NO_THREAD if none */
    uint32_t holder_stack;
    uint32_t reserved;
} cc_stuck_thread_t;
_Static_assert(sizeof(cc_stuck_thread_t) == 40, "stuck thread layout");

/* A semaphore that was counted as a lock turned out to signal: a thread
 * that did not hold it posted it. Edges that name it order nothing. */
typedef struct cc_rec_sem_signals {
    cc_rec_header_t h;
    uint64_t lock;
} cc_rec_sem_signals_t;
_Static_assert(sizeof(cc_rec_sem_signals_t) == 24, "sem record layout");

/* How a wait that missed its notification ended. */
typedef enum cc_missed_how {
    CC_MISSED_TIMED_OUT = 1,  /* a timed wait timed out (and was not a poll) */
    CC_MISSED_AT_EXIT = 2,    /* still blocked when the process ended */
    CC_MISSED_STUCK = 3,      /* found stuck by the watchdog */
} cc_missed_how_t;

/* A condition wait that waited for a signal sent before it began: the last
 * signal before the wait found no waiter (it was lost) and none came
 * after. `lost_held`: 1 if the signaller held the waiters' mutex, 0 if not,
 * 2 if unknown. */
typedef struct cc_rec_missed_signal {
    cc_rec_header_t h;
    uint32_t waiter;
    uint32_t how; /* cc_missed_how_t */
    uint64_t cond;
    uint64_t mutex;
    uint32_t wait_stack;
    uint32_t lost_thread;
    uint32_t lost_stack;
    uint32_t lost_held;
} cc_rec_missed_signal_t;
_Static_assert(sizeof(cc_rec_missed_signal_t) == 56, "missed signal record layout");

/* A data race: two accesses to overlapping bytes from two threads, at least
 * one a write, neither ordered before the other by happens-before. */
enum {
    CC_ACCESS_WRITE = 1u << 0,
    CC_ACCESS_ATOMIC = 1u << 1,
    CC_ACCESS_FREE = 1u << 2, /* the write of free() / delete */
};
typedef struct cc_race_access {
    uint32_t thread;
    uint32_t stack;  /* CC_TRACE_NO_STACK: not restored (history overwritten) */
    uint64_t pc;     /* return address of the access's __tsan_* call, 0 if unknown */
    uint64_t addr;   /* the access's first byte */
    uint32_t size;
    uint32_t flags;  /* CC_ACCESS_* */
    uint32_t n_held; /* lock ids it held, in cc_rec_race_t's held[] */
    uint32_t reserved;
} cc_race_access_t;
_Static_assert(sizeof(cc_race_access_t) == 40, "race access layout");
/* What the raced memory is. */
typedef enum cc_race_memory {
    CC_MEMORY_UNKNOWN = 0,
    CC_MEMORY_GLOBAL = 1, /* a module's data: the analyzer names the symbol */
    CC_MEMORY_HEAP = 2,   /* block mem_base, mem_size bytes, allocated by mem_thread at mem_stack */
    CC_MEMORY_STACK = 3,  /* on the stack of mem_thread */
    CC_MEMORY_FD = 4,     /* file descriptor mem_base, made by mem_thread at mem_stack (one
                           * frame; CC_TRACE_NO_STACK and CC_TRACE_NO_THREAD if not seen) */
} cc_race_memory_t;
typedef struct cc_rec_race {
    cc_rec_header_t h;
    cc_race_access_t current;  /* the access that found the race */
    cc_race_access_t previous; /* the earlier one it races with */
    uint32_t memory;           /* cc_race_memory_t */
    uint32_t mem_thread;
    uint64_t mem_base;
    uint64_t mem_size;
    uint32_t mem_stack;
    uint32_t reserved;
    /* uint64_t held[current.n_held + previous.n_held]: lock ids, the
     * current access's first */
} cc_rec_race_t;
_Static_assert(sizeof(cc_rec_race_t) == 128, "race record layout");

typedef enum cc_end_reason {
    CC_END_EXIT = 0,   /* exit() or return from main */
    CC_END__EXIT = 1,  /* _exit / _Exit */
    CC_END_EXEC = 2,   /* replaced by execve */
    CC_END_SIGNAL = 3, /* killed by a fatal signal (status = signal) */
    CC_END_WATCHDOG = 4, /* ended by the watchdog after a stuck record */
} cc_end_reason_t;

/* The process ended (as far as this trace is concerned). Threads with no
 * exit record before this one were cut off. */
typedef struct cc_rec_process_end {
    cc_rec_header_t h;
    uint32_t reason; /* cc_end_reason_t */
    int32_t status;
} cc_rec_process_end_t;
_Static_assert(sizeof(cc_rec_process_end_t) == 24, "end record layout");

/* Records are padded to 8 bytes. */
static inline uint32_t cc_trace_pad8(uint32_t n) { return (n + 7u) & ~7u; }

/* CRC-32 (IEEE 802.3, as zlib). Bitwise: records are rare and small, and a
 * table would need initialisation before the runtime may touch memory. */
static inline uint32_t cc_trace_crc32(const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

#endif
