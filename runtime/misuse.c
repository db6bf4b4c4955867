/* Lock misuse checks. See misuse.h for the rules.
 *
 * The runtime's witness is the held-lock stack of every thread
 * (lock_order.h). It can miss a hold: a lock taken before the runtime
 * started, or re-taken by a condition wait that was cancelled (glibc locks
 * the mutex again before the cleanup handlers run, and the interposer never
 * sees the wait return). So before a report that says "not held", the lock's
 * own memory is asked too (glibc's layouts, x86-64): a mutex records its
 * owner's kernel tid, an rwlock its writer's and its reader count, a
 * spinlock whether it is taken. Any doubt holds the report back.
 *
 * A lock used without ever being initialised has no witness but its
 * memory; see "never initialised" below for what convicts it. */
#include "misuse.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <threads.h>
#include <unistd.h>

#include "lock_table.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

/* ---- what the lock's memory says ---------------------------------------- */

/* glibc's pthread_mutex_t __kind bits (nptl/pthreadP.h). */
enum {
    MUTEX_TYPE_MASK = 3, /* 0 normal, 1 recursive, 2 error-checking, 3 adaptive */
    MUTEX_RECURSIVE = 1,
    MUTEX_ERRORCHECK = 2,
    MUTEX_ROBUST = 16,
    MUTEX_PI = 32,
    MUTEX_PP = 64,
    MUTEX_DESTROYED = -1,         /* pthread_mutex_destroy's mark */
    MUTEX_INCONSISTENT = 0x7fffffff, /* owner of a robust mutex whose owner died */
};
/* glibc's pthread_rwlock_t __readers bits (nptl/pthread_rwlock_common.c). */
enum { RWLOCK_WRPHASE = 1, RWLOCK_WRLOCKED = 2, RWLOCK_READER_SHIFT = 3 };

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "glibc's mtx_t is a pthread mutex");

typedef enum word_state {
    WORD_UNKNOWN = 0, /* unreadable, or a state this code does not know */
    WORD_FREE,        /* nobody holds it */
    WORD_OWNED,       /* held (for writing) by kernel thread `owner` */
    WORD_HELD,        /* held, the word does not say by whom (readers, spinlock) */
} word_state_t;

typedef struct lock_word {
    word_state_t state;
    uint32_t owner;
    bool destroyed;    /* a mutex glibc marked destroyed */
    bool checks_owner; /* a mutex whose unlock refuses a non-owner (EPERM) */
    bool robust;
    bool prio_protocol; /* a mutex that inherits or protects priority */
} lock_word_t;

/* Reads memory that may have been unmapped since (a lock still held at
 * thread exit lives in memory the program may have freed): through the
 * kernel, which fails instead of faulting. */
static bool peek(uint64_t addr, void *out, size_t size)
{
    struct iovec local = {out, size};
    struct iovec remote = {(void *)(uintptr_t)addr, size};
    long n = syscall(SYS_process_vm_readv, (long)syscall(SYS_getpid), &local, 1L, &remote, 1L, 0L);
    return n == (long)size;
}

/* `live`: the program has just passed addr to a call, so it is mapped. */
static void read_word(uint16_t kind, uint64_t addr, bool live, lock_word_t *w)
{
    union {
        pthread_mutex_t mutex;
        pthread_rwlock_t rwlock;
        pthread_spinlock_t spin;
    } mem;
    size_t size = kind == CC_LOCK_RWLOCK ? sizeof mem.rwlock
                  : kind == CC_LOCK_SPIN ? sizeof mem.spin
                                         : sizeof mem.mutex;
    memset(w, 0, sizeof *w);
    if (live)
        memcpy(&mem, (const void *)(uintptr_t)addr, size); /* a racy snapshot */
    else if (!peek(addr, &mem, size))
        return;
    switch (kind) {
    case CC_LOCK_MUTEX:
    case CC_LOCK_C11_MTX: {
        int type = mem.mutex.__data.__kind;
        if (type == MUTEX_DESTROYED) {
            w->destroyed = true;
            return;
        }
        w->robust = (type & MUTEX_ROBUST) != 0;
        w->prio_protocol = (type & (MUTEX_PI | MUTEX_PP)) != 0;
        w->checks_owner = (type & MUTEX_TYPE_MASK) == MUTEX_RECURSIVE ||
                          (type & MUTEX_TYPE_MASK) == MUTEX_ERRORCHECK ||
                          (type & (MUTEX_ROBUST | MUTEX_PI)) != 0;
        int owner = mem.mutex.__data.__owner;
        w->state = owner == 0 ? WORD_FREE : owner == MUTEX_INCONSISTENT ? WORD_HELD : WORD_OWNED;
        w->owner = (uint32_t)owner;
        return;
    }
    case CC_LOCK_RWLOCK: {
        unsigned readers = mem.rwlock.__data.__readers;
        int writer = mem.rwlock.__data.__cur_writer;
        if (writer != 0) {
            w->state = WORD_OWNED;
            w->owner = (uint32_t)writer;
        } else if (!(readers & RWLOCK_WRPHASE) && readers >> RWLOCK_READER_SHIFT) {
            w->state = WORD_HELD;
        } else if (!(readers >> RWLOCK_READER_SHIFT) && !(readers & RWLOCK_WRLOCKED)) {
            w->state = WORD_FREE;
        }
        return;
    }
    case CC_LOCK_SPIN:
        w->state = mem.spin ? WORD_HELD : WORD_FREE;
        return;
    default:
        return;
    }
}

/* Could kernel thread os_tid hold the lock, as far as its memory says? */
static bool word_allows(const lock_word_t *w, uint32_t os_tid)
{
    return w->state != WORD_FREE && !(w->state == WORD_OWNED && w->owner != os_tid);
}

/* ---- who holds it --------------------------------------------------------- */

typedef struct holder_search {
    uint64_t addr;
    const cc_thread_t *skip; /* the calling thread */
    const lock_word_t *word;
    bool found;              /* a thread whose held stack has it, as the word allows */
    uint32_t tid, os_tid;
    cc_caller_t at;
    uint32_t stack;
    uint32_t owner_tid;      /* ccheck tid of the word's owner, if it is registered */
} holder_search_t;

/* Called with the registry lock held, on another thread's state that may
 * change under it: a snapshot. The held array only grows by replacement
 * (the old one stays mapped), and cap_held is published after it. */
static void find_holder(cc_thread_t *t, void *ctx)
{
    holder_search_t *s = ctx;
    if (t == s->skip)
        return;
    if (s->word->state == WORD_OWNED && t->os_tid == s->word->owner)
        s->owner_tid = t->tid;
    if (s->found || !word_allows(s->word, t->os_tid))
        return;
    uint32_t cap = __atomic_load_n(&t->locks.cap_held, __ATOMIC_ACQUIRE);
    const cc_held_t *held = __atomic_load_n(&t->locks.held, __ATOMIC_ACQUIRE);
    uint32_t n = __atomic_load_n(&t->locks.n_held, __ATOMIC_RELAXED);
    if (!held)
        return;
    for (uint32_t i = 0; i < n && i < cap; i++) {
        if (held[i].addr == s->addr) {
            s->found = true;
            s->tid = t->tid;
            s->os_tid = t->os_tid;
            s->at = held[i].at;
            s->stack = held[i].stack;
            return;
        }
    }
}

static void search_holders(holder_search_t *s, const cc_thread_t *self, uint64_t addr,
                           const lock_word_t *word)
{
    memset(s, 0, sizeof *s);
    s->addr = addr;
    s->skip = self;
    s->word = word;
    s->owner_tid = CC_TRACE_NO_THREAD;
    cc_threads_for_each(find_holder, s);
}

/* The outermost entry for addr in the thread's own held stack, or NULL. */
static cc_held_t *own_entry(cc_thread_t *t, uint64_t addr)
{
    for (uint32_t i = 0; i < t->locks.n_held; i++)
        if (t->locks.held[i].addr == addr)
            return &t->locks.held[i];
    return NULL;
}

/* ---- written once --------------------------------------------------------- */

/* Occurrence counts per key, for this trace (the generation is part of the
 * key, so a fork child's new trace starts afresh). Lock-free: a slot is
 * claimed by CAS on its key and never freed. */
enum { SEEN_SLOTS = 1u << 12, SEEN_PROBES = 32, UNWINDS_PER_SITE = 4 };
static struct {
    uint64_t key;
    uint32_t count;
} seen[SEEN_SLOTS];

/* How many times (a, b, c) was counted before in this trace; UINT32_MAX
 * when the table is full (then nothing more is reported). */
static uint32_t count_seen(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t key = cc_hash64(cc_hash64(cc_hash64(cc_trace_generation() ^ a) ^ b) ^ c) | 1;
    for (uint32_t p = 0, i = (uint32_t)(key >> 32); p < SEEN_PROBES; p++, i++) {
        i &= SEEN_SLOTS - 1;
        uint64_t k = __atomic_load_n(&seen[i].key, __ATOMIC_ACQUIRE);
        if (k == 0) {
            __atomic_compare_exchange_n(&seen[i].key, &k, key, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
            if (k == 0)
                k = key; /* ours now */
        }
        if (k == key)
            return __atomic_fetch_add(&seen[i].count, 1, __ATOMIC_RELAXED);
    }
    return UINT32_MAX;
}

/* Worth checking and unwinding: one of the first few times this misuse
 * (kind 0: an unlock not yet classified) happens at pc. Past that, a
 * misuse repeated in a loop costs a table lookup. */
bool cc_misuse_site_budget(cc_misuse_kind_t kind, int result, uint64_t pc)
{
    return count_seen(1 | (uint64_t)kind << 8 | (uint64_t)(uint32_t)result << 32, pc, 0) <
           UNWINDS_PER_SITE;
}

typedef struct misuse {
    cc_misuse_kind_t kind;
    uint64_t addr;
    cc_lock_t *lock; /* NULL if the runtime never saw the lock */
    uint32_t stack;
    uint32_t other_thread;
    uint32_t other_stack;
    int32_t result;
    uint32_t detail;
} misuse_t;

bool cc_misuse_once(cc_misuse_kind_t kind, uint64_t a, uint64_t b)
{
    return count_seen(3 | (uint64_t)kind << 8, a, b) == 0;
}

bool cc_misuse_first_time(cc_misuse_kind_t kind, int result, uint32_t stack,
                          uint32_t other_thread, uint32_t other_stack)
{
    return count_seen(2 | (uint64_t)kind << 8 | (uint64_t)(uint32_t)result << 32, stack,
                      (uint64_t)other_stack << 32 | other_thread) == 0;
}

static void write_misuse(const misuse_t *m)
{
    if (!cc_misuse_first_time(m->kind, m->result, m->stack, m->other_thread, m->other_stack))
        return;
    cc_rec_misuse_t rec;
    rec.kind = m->kind;
    rec.stack = m->stack;
    rec.lock = 0;
    if (m->lock) {
        /* Name the live instance, else the one the last destroy ended. */
        rec.lock = __atomic_load_n(&m->lock->id, __ATOMIC_RELAXED);
        if (rec.lock) {
            cc_lock_write_record(m->lock);
        } else {
            rec.lock = __atomic_load_n(&m->lock->destroyed_id, __ATOMIC_RELAXED);
            cc_lock_write_destroyed_record(m->lock);
        }
    }
    rec.addr = m->addr;
    rec.other_thread = m->other_thread;
    rec.other_stack = m->other_stack;
    rec.result = m->result;
    rec.detail = m->detail;
    cc_trace_write(CC_REC_MISUSE, &rec.h, sizeof rec);
}

/* A held entry of another thread: its full stack if an edge needed one,
 * else the one frame that is certain. */
static uint32_t held_stack(uint32_t stack, cc_caller_t at)
{
    return stack ? stack : cc_stack_intern(&at.pc, 1);
}

/* The thread's own entry, rebuilt from `now` while its frames are live. */
static uint32_t own_held_stack(cc_held_t *h, const cc_unwound_t *now)
{
    if (!h->stack)
        h->stack = cc_stack_earlier(now, h->at);
    return h->stack;
}

/* Fills in m->stack from an unwind at `at`; `now` keeps the unwind for
 * related stacks. */
static void capture(misuse_t *m, cc_caller_t at, cc_unwound_t *now)
{
    cc_unwind(at, now);
    m->stack = cc_stack_intern(now->pc, now->n);
}

/* The lock was held by the thread the search found, or by the word's owner
 * whose held stack does not show it (other stack unknown then). */
static void set_holder(misuse_t *m, const holder_search_t *s)
{
    if (s->found) {
        m->other_thread = s->tid;
        m->other_stack = held_stack(s->stack, s->at);
    } else {
        m->other_thread = s->owner_tid;
    }
}

static void set_destroy_site(misuse_t *m, cc_lock_t *lock)
{
    uint64_t pc = __atomic_load_n(&lock->destroy_pc, __ATOMIC_RELAXED);
    if (pc) {
        m->other_thread = __atomic_load_n(&lock->destroy_tid, __ATOMIC_RELAXED);
        m->other_stack = cc_stack_intern(&pc, 1);
    }
}

static misuse_t new_misuse(cc_misuse_kind_t kind, uint64_t addr, cc_lock_t *lock, int result)
{
    return (misuse_t){.kind = kind, .addr = addr, .lock = lock, .result = result,
                      .other_thread = CC_TRACE_NO_THREAD, .other_stack = CC_TRACE_NO_STACK};
}

void cc_misuse_write(cc_misuse_kind_t kind, uint64_t addr, cc_lock_t *lock, uint32_t stack,
                     uint32_t other_thread, uint32_t other_stack, int32_t result, uint32_t detail)
{
    misuse_t m = new_misuse(kind, addr, lock, result);
    m.stack = stack;
    m.other_thread = other_thread;
    m.other_stack = other_stack;
    m.detail = detail;
    write_misuse(&m);
}

bool cc_misuse_mutex_holder(cc_thread_t *t, uint64_t addr, cc_lock_kind_t kind,
                            cc_mutex_holder_t *out)
{
    lock_word_t w;
    read_word((uint16_t)kind, addr, true, &w);
    if (w.state != WORD_OWNED || w.owner == t->os_tid)
        return false;
    holder_search_t s;
    search_holders(&s, t, addr, &w);
    if (!s.found)
        return false;
    out->tid = s.tid;
    out->os_tid = s.os_tid;
    out->stack = held_stack(s.stack, s.at);
    out->prio_protocol = w.prio_protocol;
    return true;
}

void cc_misuse_report(cc_misuse_kind_t kind, uint64_t addr, uint32_t other_thread,
                      uint32_t other_stack, int32_t result, cc_caller_t at)
{
    if (!cc_misuse_site_budget(kind, result, at.pc))
        return;
    int saved_errno = errno;
    misuse_t m = new_misuse(kind, addr, cc_lock_find(addr), result);
    m.stack = cc_stack_here(at);
    m.other_thread = other_thread;
    m.other_stack = other_stack;
    write_misuse(&m);
    errno = saved_errno;
}

/* ---- never initialised ------------------------------------------------------ */

/* What glibc 2.36 (x86-64) leaves in a lock that was initialised, by an
 * init call (which clears it first) or by a static initializer, and that no
 * lock or unlock call changes. The lock's other fields (lock word, owner,
 * counts, reader and writer state, spin and elision estimates, robust
 * list) change with every use, so they say nothing once it was locked.
 *
 * - pthread_mutex_t / mtx_t: __kind holds the type (0-3), robust (16),
 *   priority inherit (32) or protect (64), process-shared (128) and elision
 *   off (512: pthread_mutexattr_settype of the default type) or on (256:
 *   set by a lock of a default mutex when elision is enabled); static
 *   initializers set a type only, zeroed memory is PTHREAD_MUTEX_INITIALIZER.
 *   -1 is destroy's mark (use-after-destroy's, not ours).
 * - pthread_rwlock_t: init clears it and sets __flags (the attribute's
 *   kind, 0-2) and __shared (0 or 1); PTHREAD_RWLOCK_INITIALIZER and its
 *   _NP variants set __flags only. __pad1-4, __pad2 and __rwelision are
 *   never written. The tail padding after __flags is not looked at: an
 *   initializer of an automatic variable leaves it undefined.
 * - pthread_spinlock_t: an int, 0 when free, anything else when taken:
 *   nothing to judge. */
enum {
    MUTEX_PSHARED = 128,
    MUTEX_ELISION = 256,
    MUTEX_NO_ELISION = 512,
    MUTEX_KIND_BITS = MUTEX_TYPE_MASK | MUTEX_ROBUST | MUTEX_PI | MUTEX_PP | MUTEX_PSHARED |
                      MUTEX_ELISION | MUTEX_NO_ELISION,
    RWLOCK_LAST_KIND = 2, /* PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP */
};

static bool mutex_kind_impossible(int type)
{
    unsigned k = (unsigned)type;
    if (type == MUTEX_DESTROYED)
        return false;
    return (k & ~(unsigned)MUTEX_KIND_BITS) != 0 ||
           (k & (MUTEX_PI | MUTEX_PP)) == (MUTEX_PI | MUTEX_PP) || /* one protocol at most */
           (k & (MUTEX_ELISION | MUTEX_NO_ELISION)) == (MUTEX_ELISION | MUTEX_NO_ELISION);
}

static bool rwlock_impossible(const pthread_rwlock_t *l)
{
    const struct __pthread_rwlock_arch_t *d = &l->__data;
    unsigned pad1 = 0;
    for (size_t i = 0; i < sizeof d->__pad1; i++)
        pad1 |= d->__pad1[i];
    return d->__pad3 != 0 || d->__pad4 != 0 || d->__rwelision != 0 || pad1 != 0 ||
           d->__pad2 != 0 || (unsigned)d->__shared > 1 || d->__flags > RWLOCK_LAST_KIND;
}

/* Does the lock at addr hold what no initialisation leaves? The program
 * has just passed addr to a lock call, so it is mapped; a racy snapshot of
 * fields that do not change while the lock lives. */
static bool never_initialised(uint16_t kind, uint64_t addr)
{
    switch (kind) {
    case CC_LOCK_MUTEX:
    case CC_LOCK_C11_MTX: {
        pthread_mutex_t m;
        memcpy(&m, (const void *)(uintptr_t)addr, sizeof m);
        return mutex_kind_impossible(m.__data.__kind);
    }
    case CC_LOCK_RWLOCK: {
        pthread_rwlock_t l;
        memcpy(&l, (const void *)(uintptr_t)addr, sizeof l);
        return rwlock_impossible(&l);
    }
    default:
        return false;
    }
}

void cc_misuse_first_use(cc_lock_t *lock, cc_lock_kind_t kind, uint64_t pc)
{
    cc_thread_t *t = cc_current_thread;
    if (!t || !t->guard)
        return; /* not in a lock call: nothing says addr is a lock */
    uint64_t addr = lock->addr;
    if (!never_initialised((uint16_t)kind, addr) ||
        !cc_misuse_site_budget(CC_MISUSE_UNINITIALIZED, 0, pc))
        return;
    int saved_errno = errno;
    /* The lock table knows the caller's pc only: the frames up to the one
     * that returns there are the runtime's and the interposer's. */
    misuse_t m = new_misuse(CC_MISUSE_UNINITIALIZED, addr, lock, 0);
    cc_unwound_t now;
    cc_unwind_from_pc(pc, &now);
    m.stack = cc_stack_intern(now.pc, now.n);
    write_misuse(&m);
    errno = saved_errno;
}

/* ---- the checks ----------------------------------------------------------- */

/* A lock the table marks destroyed (id 0) and nobody used since. For a
 * mutex, glibc's own destroyed mark must agree: without it the memory was
 * made a mutex again (a static initializer assigned, zeroed memory reused),
 * or the destroy failed (EBUSY), and the lock is alive. rwlocks and
 * spinlocks keep no mark. */
static bool is_destroyed(const cc_lock_t *lock, const lock_word_t *w)
{
    uint16_t kind = __atomic_load_n(&lock->kind, __ATOMIC_RELAXED);
    return __atomic_load_n(&lock->id, __ATOMIC_RELAXED) == 0 &&
           (w->destroyed || kind == CC_LOCK_RWLOCK || kind == CC_LOCK_SPIN);
}

void cc_misuse_unlock_unheld(cc_thread_t *t, uint64_t addr, cc_caller_t at)
{
    cc_lock_t *lock = cc_lock_find(addr);
    if (!lock)
        return; /* never seen acquired or initialised: nothing to compare */
    int saved_errno = errno;
    if (!cc_misuse_site_budget(0, 0, at.pc))
        goto out;
    uint16_t kind = __atomic_load_n(&lock->kind, __ATOMIC_RELAXED);
    lock_word_t w;
    read_word(kind, addr, true, &w);
    misuse_t m = new_misuse(0, addr, lock, 0);
    if (is_destroyed(lock, &w)) {
        m.kind = CC_MISUSE_USE_AFTER_DESTROY;
        set_destroy_site(&m, lock);
    } else if (kind == CC_LOCK_MUTEX && w.checks_owner) {
        /* The real unlock refuses it (EPERM): cc_misuse_mutex_unlock_failed. */
    } else if (w.state == WORD_OWNED && w.owner == t->os_tid) {
        /* It is this thread's after all: a hold the runtime did not see. */
    } else if (w.state == WORD_FREE) {
        m.kind = CC_MISUSE_DOUBLE_UNLOCK;
    } else {
        holder_search_t s;
        search_holders(&s, t, addr, &w);
        if (s.found || w.state == WORD_OWNED) {
            m.kind = CC_MISUSE_UNLOCK_NOT_OWNED;
            set_holder(&m, &s);
        } /* else held, but the word cannot say that it is not by this thread */
    }
    cc_unwound_t now;
    if (m.kind) {
        capture(&m, at, &now);
        write_misuse(&m);
    }
out:
    errno = saved_errno;
}

void cc_misuse_mutex_lock_failed(void *addr, int rc, cc_caller_t at)
{
    if (rc != EDEADLK && rc != EINVAL)
        return;
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    int saved_errno = errno;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    cc_lock_t *lock = cc_lock_find(key);
    cc_unwound_t now;
    if (rc == EDEADLK && cc_misuse_site_budget(CC_MISUSE_ERRORCHECK, rc, at.pc)) {
        /* glibc says this thread holds it: no second witness needed. */
        misuse_t m = new_misuse(CC_MISUSE_ERRORCHECK, key, lock, rc);
        capture(&m, at, &now);
        cc_held_t *mine = own_entry(t, key);
        if (mine) {
            m.other_thread = t->tid;
            m.other_stack = own_held_stack(mine, &now);
        }
        write_misuse(&m);
    } else if (rc == EINVAL && lock && cc_misuse_site_budget(CC_MISUSE_USE_AFTER_DESTROY, rc, at.pc)) {
        lock_word_t w;
        read_word(CC_LOCK_MUTEX, key, true, &w);
        misuse_t m = new_misuse(CC_MISUSE_USE_AFTER_DESTROY, key, lock, rc);
        if (is_destroyed(lock, &w)) {
            capture(&m, at, &now);
            set_destroy_site(&m, lock);
            write_misuse(&m);
        }
    }
    /* A type glibc does not know: it refuses the lock before it touches
     * the lock word. Only with no live instance at the address (never
     * seen, or destroyed: a destroyed mutex keeps glibc's mark, which is
     * not taken for garbage). */
    if (rc == EINVAL && (!lock || __atomic_load_n(&lock->id, __ATOMIC_RELAXED) == 0) &&
        never_initialised(CC_LOCK_MUTEX, key) &&
        cc_misuse_site_budget(CC_MISUSE_UNINITIALIZED, rc, at.pc)) {
        misuse_t m = new_misuse(CC_MISUSE_UNINITIALIZED, key, NULL, rc);
        capture(&m, at, &now);
        write_misuse(&m);
    }
    errno = saved_errno;
    cc_leave(t);
}

void cc_misuse_mutex_unlock_failed(void *addr, int rc, cc_caller_t at)
{
    if (rc != EPERM)
        return;
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    int saved_errno = errno;
    uint64_t key = (uint64_t)(uintptr_t)addr;
    if (cc_misuse_site_budget(CC_MISUSE_ERRORCHECK, rc, at.pc)) {
        misuse_t m = new_misuse(CC_MISUSE_ERRORCHECK, key, cc_lock_find(key), rc);
        cc_unwound_t now;
        capture(&m, at, &now);
        lock_word_t w;
        read_word(CC_LOCK_MUTEX, key, true, &w);
        holder_search_t s;
        search_holders(&s, t, key, &w);
        set_holder(&m, &s);
        write_misuse(&m);
    }
    errno = saved_errno;
    cc_leave(t);
}

void cc_misuse_destroying(cc_thread_t *t, uint64_t addr, cc_caller_t at)
{
    cc_lock_t *lock = cc_lock_find(addr);
    if (!lock)
        return; /* never seen: nothing to compare */
    int saved_errno = errno;
    /* Every destroy call, also one after a destroy that failed (EBUSY: the
     * table marks the lock destroyed before the call), so a use after
     * destroy names the last one. */
    __atomic_store_n(&lock->destroy_pc, at.pc, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->destroy_tid, t->tid, __ATOMIC_RELAXED);
    lock_word_t w;
    read_word(__atomic_load_n(&lock->kind, __ATOMIC_RELAXED), addr, true, &w);
    /* Nobody holds it (the common destroy): no scan of the other threads. */
    if (w.state == WORD_FREE || !cc_misuse_site_budget(CC_MISUSE_DESTROY_LOCKED, 0, at.pc))
        goto out;
    misuse_t m = new_misuse(CC_MISUSE_DESTROY_LOCKED, addr, lock, 0);
    cc_held_t *mine = word_allows(&w, t->os_tid) ? own_entry(t, addr) : NULL;
    holder_search_t s = {0};
    if (!mine)
        search_holders(&s, t, addr, &w);
    cc_unwound_t now;
    if (mine || s.found) {
        capture(&m, at, &now);
        if (mine) {
            m.other_thread = t->tid;
            m.other_stack = own_held_stack(mine, &now);
        } else {
            set_holder(&m, &s);
        }
        write_misuse(&m);
    }
out:
    errno = saved_errno;
}

void cc_misuse_recursive_wrlock(uint64_t addr, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    int saved_errno = errno;
    cc_held_t *mine = own_entry(t, addr);
    lock_word_t w;
    read_word(CC_LOCK_RWLOCK, addr, true, &w);
    misuse_t m = new_misuse(CC_MISUSE_RECURSIVE_WRLOCK, addr, mine ? mine->lock : NULL, 0);
    cc_unwound_t now;
    if (mine && word_allows(&w, t->os_tid) &&
        cc_misuse_site_budget(CC_MISUSE_RECURSIVE_WRLOCK, 0, at.pc)) {
        capture(&m, at, &now);
        m.other_thread = t->tid;
        m.other_stack = own_held_stack(mine, &now);
        write_misuse(&m);
    }
    errno = saved_errno;
    cc_leave(t);
}

void cc_misuse_thread_exiting(cc_thread_t *t, cc_caller_t at)
{
    if (t->locks.n_held == 0)
        return;
    int saved_errno = errno;
    cc_unwound_t now;
    cc_unwind(at, &now);
    t->exit_stack = cc_stack_intern(now.pc, now.n);
    for (uint32_t i = 0; i < t->locks.n_held; i++)
        own_held_stack(&t->locks.held[i], &now);
    errno = saved_errno;
}

void cc_misuse_exit_holding(cc_thread_t *t)
{
    int saved_errno = errno;
    cc_lock_order_thread_t *lo = &t->locks;
    for (uint32_t i = 0; i < lo->n_held; i++) {
        cc_held_t *h = &lo->held[i];
        if (own_entry(t, h->addr) != h)
            continue; /* taken again (recursive or read lock): one report */
        if (__atomic_load_n(&h->lock->id, __ATOMIC_RELAXED) != h->id)
            continue; /* destroyed (or made anew) while held: not this lock any more */
        /* A permit kept is no misuse: another thread may post for it. */
        if (__atomic_load_n(&h->lock->kind, __ATOMIC_RELAXED) == CC_LOCK_SEM)
            continue;
        lock_word_t w;
        read_word(__atomic_load_n(&h->lock->kind, __ATOMIC_RELAXED), h->addr, false, &w);
        /* A robust mutex is made for this: the next locker gets EOWNERDEAD. */
        if (w.robust || !word_allows(&w, t->os_tid))
            continue;
        misuse_t m = new_misuse(CC_MISUSE_EXIT_HOLDING_LOCK, h->addr, h->lock, 0);
        if (!cc_misuse_site_budget(m.kind, 0, h->at.pc))
            continue;
        /* Where it exited: pthread_exit's stack, none for a return. */
        m.stack = t->exit_stack;
        m.other_thread = t->tid;
        m.other_stack = held_stack(h->stack, h->at);
        write_misuse(&m);
    }
    errno = saved_errno;
}
