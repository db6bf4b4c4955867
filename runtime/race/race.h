/* Data races: happens-before clocks, shadow memory and the event history,
 * for programs whose objects are compiled with -fsanitize=thread.
 *
 * The parts, one file each (all under runtime/race/ unless said):
 *  - vclock.c   vector clocks indexed by HB slot, with a size-class free
 *               list (clocks grow as slots are handed out).
 *  - sync.c     the clock of every synchronising address (lock, condition
 *               variable, semaphore, barrier, once, atomic variable, thread
 *               exit), found by address without a global lock; dropped
 *               when the memory holding it is freed.
 *  - hb.c       threads' slots and clocks: create, start, exit, join;
 *               release and acquire on an address.
 *  - shadow.c   the shadow map: 16 bytes of shadow for every 8-byte word of
 *               application memory, in lazily mapped chunks.
 *  - access.h   the FastTrack check of one access, inlined into the
 *               __tsan_* entry points (interpose/tsan.c).
 *  - read_set.c the reads a shadow cell could not keep (two threads'
 *               reads of a word, neither ordered before the other).
 *  - history.c  each slot's ring of recent events (accesses, function entry
 *               and exit, lock and unlock), to restore the stack and held
 *               locks of an earlier access.
 *  - report.c   writes a race record: dedup by the pair of code locations,
 *               both stacks, both threads' held locks, what the memory is.
 *  - heap.c     malloc'd blocks (size, allocation stack), for reports and
 *               for resetting the shadow of reused memory.
 *  - fd.c       file descriptors: the clock a descriptor's reads acquire
 *               and its writes release (shared by a pipe's two ends), and
 *               the word that stands for the descriptor in the shadow, so
 *               that a close racing with a use is a race.
 *
 * Epochs. A thread's clock advances by one on every event it records
 * (memory access, function entry or exit, lock operation), so an epoch
 * names one event of one slot and indexes that slot's history ring. A
 * release publishes the current epoch; every later event of the thread is
 * after it.
 *
 * Rules:
 *  - Nothing here runs unless cc_race_enabled is set: a program with no
 *    instrumented code pays one predictable load per lock operation.
 *  - The access path (access.h) takes no lock and calls nothing on its fast
 *    path. Shadow cells are read and written with relaxed 64-bit atomics;
 *    a lost update can hide a race, never invent one.
 *  - No malloc: memory comes from the arena (util.h) or cc_map.
 */
#ifndef CC_RACE_H
#define CC_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Set (once, never cleared) when instrumented code shows up: __tsan_init,
 * called by the constructor of every instrumented object, or the first
 * __tsan_* call. Read with a relaxed load on every lock operation. */
extern int cc_race_enabled;
/* Whether it is on, read with acquire: what cc_race_enable set up before
 * it is visible. */
static inline bool cc_race_on(void) { return __atomic_load_n(&cc_race_enabled, __ATOMIC_ACQUIRE) != 0; }

/* ---- slots and epochs ------------------------------------------------- */

/* A thread's index into vector clocks. Slots are reused once their thread
 * has finished and been joined or detached; the next owner continues the
 * slot's clock, so a reused slot can hide a race (never invent one). */
#define CC_RACE_SLOT_BITS 15
#define CC_RACE_MAX_SLOTS (1u << CC_RACE_SLOT_BITS)
/* Never handed out: a view that is all zeros (not attached) names it, and
 * no access in the shadow does, so such a view covers nothing. */
#define CC_RACE_NO_SLOT 0u
#define CC_RACE_CLOCK_BITS 39
#define CC_RACE_CLOCK_MAX ((UINT64_C(1) << CC_RACE_CLOCK_BITS) - 1)

/* libccheck-tsan.a (interpose/tsan_access.c, linked into the program)
 * reads cc_thread_t, the shadow and the history ring with the layout of
 * the headers it was built with. Its first access refers to this symbol,
 * which only a libccheck.so of the same layout defines (interpose/tsan.c),
 * so a mismatched pair fails at link or load time. Bump the number with
 * any change of those layouts or of the runtime functions the archive
 * calls. */
#define cc_race_abi_check cc_race_abi_5
extern const int cc_race_abi_check;

/* ---- vector clocks (vclock.c) ------------------------------------------- */

/* Clocks indexed by slot; entries at n and beyond are 0. */
typedef struct cc_vclock {
    uint64_t *c;
    uint32_t n;
    uint32_t cap;
} cc_vclock_t;

static inline uint64_t cc_vclock_get(const cc_vclock_t *v, uint32_t slot)
{
    return slot < v->n ? v->c[slot] : 0;
}
void cc_vclock_set(cc_vclock_t *v, uint32_t slot, uint64_t clock);
/* dst = max(dst, src), entry by entry. */
void cc_vclock_join(cc_vclock_t *dst, const cc_vclock_t *src);
/* dst = src. */
void cc_vclock_assign(cc_vclock_t *dst, const cc_vclock_t *src);
/* Gives the storage back; v is empty afterwards. */
void cc_vclock_free(cc_vclock_t *v);

/* ---- per-thread state (embedded in cc_thread_t as `race`) -------------- */

typedef struct cc_race_history cc_race_history_t;

/* What the inlined access check (access.h) needs of its thread: the
 * thread, the descriptor bits of its slot, and its clock's own entry (the
 * epoch it last published; 0 before). Each module with the entry points
 * (libccheck.so, and the program that links libccheck-tsan.a) keeps one
 * per thread in its own initial-exec TLS, which the linker makes one
 * %fs-relative load in a program: the check reads no GOT entry and no
 * cc_thread_t. A view is attached to its thread by the thread's first
 * checked access (access.c) and kept up to date by hb.c until the thread
 * exits. The two numbers are kept ready to compare with a cell, so the
 * check spends no instruction taking them apart. All zeros: not attached;
 * `own` then names CC_RACE_NO_SLOT, which no access in the shadow does,
 * and `older` makes an empty cell no newer than it, so the inline check
 * finds nothing covered and takes the general path, which attaches it. */
typedef struct cc_race_view {
    struct cc_thread *thread;
    /* The slot's descriptor bits with every byte bit set (shadow.h). */
    uint64_t own;
    /* The highest descriptor of an access made before the last release:
     * an access of this slot is newer than that release iff its
     * descriptor is greater. */
    uint64_t older;
} cc_race_view_t;

enum { CC_RACE_VIEWS = 4 }; /* modules a thread's views can come from */

typedef struct cc_race_thread {
    /* What the views' keys are made of (hb.c): the descriptor bits of the
     * slot, and the epoch last published (the clock's own entry). */
    uint64_t own_bits;
    uint64_t published;
    cc_race_view_t *views[CC_RACE_VIEWS];
    uint32_t n_views;
    uint64_t epoch;     /* this thread's own clock: its last event */
    uint32_t slot;
    bool active;        /* has a slot and a clock (hb.c) */
    /* ccheck/annotations.h: accesses inside an ignore region are not
     * checked; nesting counts. */
    uint32_t ignore_reads;
    uint32_t ignore_writes;
    cc_vclock_t clock;  /* clock.c[slot] is brought up to epoch at release */
    cc_race_history_t *history; /* the slot's event ring (history.c) */
    /* The stack kept by __tsan_func_entry / __tsan_func_exit: call sites,
     * outermost first. */
    uint64_t *shadow_stack;
    uint32_t shadow_depth;
    uint32_t shadow_cap;
    /* Its stack's bounds, for "what the memory is" (set at start). */
    uint64_t stack_lo, stack_hi;
} cc_race_thread_t;

struct cc_thread;

/* ---- happens-before (hb.c) ---------------------------------------------- */

/* Turns race detection on (idempotent): gives every live thread a slot. */
void cc_race_enable(void);

/* Thread lifecycle, called from runtime/thread.c and the interposers
 * inside the guard, only when cc_race_enabled. */
void cc_race_thread_created(struct cc_thread *parent, struct cc_thread *child);
void cc_race_thread_started(struct cc_thread *t); /* on the new thread */
void cc_race_thread_exiting(struct cc_thread *t); /* on the thread itself */
/* Attaches a module's view (on its thread, outside the guard, with a
 * slot); false if the thread has all the views it can keep. */
bool cc_race_view_attach(struct cc_thread *t, cc_race_view_t *view);
void cc_race_thread_joined(struct cc_thread *joiner, struct cc_thread *target);
/* The target is gone (joined, or detached and finished): its slot may be
 * handed out again. */
void cc_race_thread_reaped(struct cc_thread *target);

/* Release: the object's clock takes in the thread's (join). Acquire: the
 * thread's clock takes in the object's. `object` is the synchronising
 * address; `which` tells apart two clocks of one object (an rwlock's
 * write and read releases: CC_SYNC_READ for the clock only writers
 * acquire). */
enum { CC_SYNC_MAIN = 0, CC_SYNC_READ = 1 };
void cc_race_release(struct cc_thread *t, uint64_t object, int which);
void cc_race_acquire(struct cc_thread *t, uint64_t object, int which);
/* The object's clocks are gone: destroy, or its memory freed. */
void cc_race_sync_forget_range(uint64_t begin, uint64_t end);
/* The ccheck thread id that owned `slot` at `epoch` (slots are reused), or
 * CC_TRACE_NO_THREAD if that is no longer known. */
uint32_t cc_race_slot_tid(uint32_t slot, uint64_t epoch);
/* The event ring of a slot (made on first use, kept for the slot's next
 * owners so that an earlier owner's accesses can still be restored). */
cc_race_history_t *cc_race_slot_history(uint32_t slot);

/* ---- shadow and accesses (shadow.c, access.h, history.c, report.c) ------ */

/* Memory that is handed out anew (malloc, a new thread's stack, munmap'd
 * and mapped again) starts clean: its shadow is cleared. */
void cc_race_shadow_reset(uint64_t addr, uint64_t size);

/* A checked access of `size` bytes (1..16, any alignment) at addr from the
 * instrumented code at pc; `range` accesses of any size go word by word. */
void cc_race_access(struct cc_thread *t, uint64_t addr, uint32_t size, bool write, uint64_t pc);
/* An atomic access (__tsan_atomic*): it races with plain accesses it is
 * not ordered with, never with another atomic one. */
void cc_race_access_atomic(struct cc_thread *t, uint64_t addr, uint32_t size, bool write,
                           uint64_t pc);
void cc_race_access_range(struct cc_thread *t, uint64_t addr, uint64_t size, bool write,
                          uint64_t pc);
/* free() of a block: a write of all of it (so a race with the free is
 * found), marked as a free in the history for the report. */
void cc_race_freed(struct cc_thread *t, uint64_t addr, uint64_t size, uint64_t pc);
/* A lock taken or released by t (after the HB part), for the history:
 * restores the locks an earlier access held. */
void cc_race_lock_event(struct cc_thread *t, uint64_t lock_addr, bool acquired);
/* history.c: a new, empty ring. */
cc_race_history_t *cc_race_history_new(void);

/* ---- heap blocks (heap.c) ----------------------------------------------- */

typedef struct cc_heap_block {
    uint64_t addr;
    uint64_t size;
    uint32_t alloc_tid;
    uint32_t alloc_stack;
} cc_heap_block_t;

void cc_race_heap_allocated(uint64_t addr, uint64_t size, uint32_t stack, uint32_t tid);
/* Forgets the block; returns its size, or 0 if it was not known. */
uint64_t cc_race_heap_freed(uint64_t addr);
/* The live block that contains addr. */
bool cc_race_heap_find(uint64_t addr, cc_heap_block_t *out);
/* The live block that starts at addr: one probe, for free() to check the
 * free while the block is still known (so a report can name it). */
bool cc_race_heap_get(uint64_t addr, cc_heap_block_t *out);

/* ---- additions by hb.c ---------------------------------------------------- */

/* Gives t (the calling thread, inside the guard) a slot and a clock if it
 * has none yet (it ran, or was created, before race detection was turned
 * on), and learns its stack's bounds if not known. False if no slot is
 * free (then t is never checked). */
bool cc_race_thread_ensure(struct cc_thread *t);

/* Fork (runtime/init.c): prepare takes the slot table's and the clock free
 * lists' locks, release frees them (parent and child); then the child,
 * where only `self` survives, gives every other thread's slot back and
 * frees every lock of the sync table. */
void cc_race_fork_prepare(void);
void cc_race_fork_release(void);
void cc_race_after_fork_child(struct cc_thread *self);

/* The interposers' hooks (interpose/interpose.h): called only when
 * cc_race_enabled, outside the guard (they take it); they keep errno. */
enum {
    CC_RACE_HOOK_LOCK = 1u << 0,   /* a lock: also a lock event for the history */
    CC_RACE_HOOK_WRITER = 1u << 1, /* acquire: an rwlock write lock, also after the readers */
    CC_RACE_HOOK_RWLOCK = 1u << 2, /* release: an rwlock unlock, read or write as it is held */
    /* The call reads the object (a use: lock, unlock, post, wait), a
     * 1-byte read at its address made at `pc`, before the edge: a release
     * covers it (the next owner may destroy the object), an acquire does
     * not (the object's own edge cannot order its init before this use). */
    CC_RACE_HOOK_READ = 1u << 3,
    /* release: the read comes after the release, uncovered: a condition
     * signal, whose woken waiters may not take the signaller as done with
     * the object (destroying it is a race with the signal). */
    CC_RACE_HOOK_READ_AFTER = 1u << 4,
};
void cc_race_hook_acquire(const void *object, unsigned how, uint64_t pc);
void cc_race_hook_release(const void *object, unsigned how, uint64_t pc);
/* A sync object's init or destroy (write) or a use with no edge of its own
 * (read), as TSan models them: a 1-byte access at its address, so that a
 * use not ordered with the init or the destroy is a data race, while uses
 * (reads) never race with each other. */
void cc_race_hook_access(const void *object, bool write, uint64_t pc);
/* The hooks' way in: the current thread, inside the guard and with a slot
 * (given one if it had none), or NULL when the runtime must stay out. */
struct cc_thread *cc_race_hook_enter(void);
/* pthread_once / call_once: the routine to hand the real call instead of
 * init. It runs init, then releases on the control; every caller acquires
 * on it after the real call returns. */
void (*cc_race_once_routine(const void *control, void (*init)(void)))(void);

/* ---- file descriptors (fd.c) ---------------------------------------------- */

/* Descriptors from 0 to CC_RACE_FD_MAX - 1 are followed; any other number
 * (negative, or beyond what RLIMIT_NOFILE allows on Linux by default) is
 * passed over. */
#define CC_RACE_FD_MAX (1 << 20)

/* Where a new descriptor's reads and writes synchronise: a clock of its
 * own (an eventfd, an epoll instance; a pipe's two ends share one), the
 * one every regular file shares, the one every socket shares (a socket's
 * peer is another descriptor: only a shared clock orders a send with its
 * receive within a process), or none (writes and reads order nothing). */
typedef enum cc_fd_sync_kind {
    CC_FD_SYNC_NONE,
    CC_FD_SYNC_OWN,
    CC_FD_SYNC_FILES,
    CC_FD_SYNC_SOCKETS,
} cc_fd_sync_kind_t;

/* The hooks of interpose/fd.c. All run inside the guard on t, a thread
 * with a slot (cc_race_hook_enter); pc is the interposed call's return
 * address. Descriptors out of range are passed over. */

/* A use (read, write, epoll_wait, ...): a read of the descriptor's word,
 * which races with an unordered close. */
void cc_race_fd_use(struct cc_thread *t, int fd, uint64_t pc);
/* Before a write-like call: a use, then a release on the descriptor's
 * clock (and on the epoll instance it was added to), so the reader that
 * gets the data comes after everything before the write. */
void cc_race_fd_release(struct cc_thread *t, int fd, uint64_t pc);
/* After a read-like call returned: an acquire on the descriptor's clock. */
void cc_race_fd_acquire(struct cc_thread *t, int fd);
/* A new descriptor (open, socket, eventfd, ...): it starts clean, with a
 * clock of `kind`, and its making is a write of its word (a use by a
 * thread not ordered after it is a race). */
void cc_race_fd_made(struct cc_thread *t, int fd, cc_fd_sync_kind_t kind, uint64_t pc);
/* pipe, pipe2, socketpair: two new descriptors that share one clock. */
void cc_race_fd_made_pair(struct cc_thread *t, const int fds[2], uint64_t pc);
/* dup and its kin made newfd a copy of oldfd: it shares oldfd's clock.
 * `replaced`: newfd was chosen by the caller (dup2, dup3) and whatever it
 * was is closed; that close counts as a use only, as TSan does it
 * (daemons dup /dev/null over stdin while other threads may still look
 * at it). */
void cc_race_fd_dup(struct cc_thread *t, int oldfd, int newfd, bool replaced, uint64_t pc);
/* Before close: a free of the word (a write: it races with an unordered
 * use), then the descriptor is forgotten: its word is clean and its clock
 * is gone. */
void cc_race_fd_closing(struct cc_thread *t, int fd, uint64_t pc);
/* epoll_ctl EPOLL_CTL_ADD of fd to epfd succeeded: writes to fd (and to
 * every descriptor sharing its clock) also release on epfd's clock, which
 * epoll_wait acquires. Only the first epoll instance counts. */
void cc_race_fd_poll_added(struct cc_thread *t, int epfd, int fd);
/* connect releases on, and accept acquires, one clock shared by all
 * sockets: the connection is made before it is accepted. */
void cc_race_fd_connecting(struct cc_thread *t);
void cc_race_fd_accepted(struct cc_thread *t);
/* A connected socket the runtime did not see made (socket() from
 * uninstrumented code) gets the sockets' clock. */
void cc_race_fd_connected(struct cc_thread *t, int fd);

/* For race reports: whether addr is a descriptor's word, and then its
 * number and, when known, the thread that made it and where (pc 0 when
 * not known). */
bool cc_race_fd_describe(uint64_t addr, int *fd, uint32_t *made_tid, uint64_t *made_pc);

/* Fork (hb.c's handlers): the table's locks around fork; in the child,
 * every descriptor's word is clean, since the threads that used them are
 * gone (a child often closes every descriptor before exec). */
void cc_race_fd_fork_prepare(void);
void cc_race_fd_fork_release(void);
void cc_race_fd_after_fork_child(void);

#endif
