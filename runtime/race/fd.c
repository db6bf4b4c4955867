/* File descriptors for data races: which clock a descriptor's writes
 * release and its reads acquire, and a word of memory that stands for the
 * descriptor, so that a close racing with a use is reported as a race
 * like any other (ThreadSanitizer's model, tsan_fd.cpp).
 *
 * The table. Descriptors 0..CC_RACE_FD_MAX-1, in blocks of BLOCK_FDS
 * mapped on first touch; a block never moves or goes away, so a
 * descriptor's entry has a fixed address, and the first word of the entry
 * is the descriptor's word in the shadow map (shadow.h): a use reads it,
 * making it writes it, and closing it frees it (a write, marked as such).
 *
 * Clocks. An entry points to an fd_sync_t, whose address is the sync
 * object that releases and acquires name (sync.c). A pipe's two ends and
 * a descriptor's dups point to the same one, counted; the last reference
 * dropped gives the clock back and the fd_sync_t to a free list. The
 * shared clocks of files and sockets are static and never counted.
 *
 * Rules:
 *  - Everything runs inside the guard, on the calling thread, only while
 *    race detection is on.
 *  - The hot path (a use, a release, an acquire) takes no lock: one load
 *    of the block, one of the entry's clock. Locks (both leaves: nothing
 *    else is taken under them) only to map a block and for the free list.
 *  - An entry changes under a concurrent use only in a program that closes
 *    a descriptor another thread is using, which is reported. Each pointer
 *    an entry held is released exactly once (exchanged out); a use that
 *    loaded it just before may release or acquire on a clock that has
 *    since been given to another descriptor: an edge too many, which can
 *    hide a race, never invent one. */
#include "race.h"

#include "thread.h"

enum {
    BLOCK_FDS = 1024,
    BLOCKS = CC_RACE_FD_MAX / BLOCK_FDS,
    WORD = 8, /* the bytes of an entry that stand for the descriptor */
};

/* Marks the static clocks, which are never counted or freed. */
#define STATIC_REFS UINT64_MAX

typedef struct fd_sync {
    uint64_t refs;         /* entries (and other fd_syncs' `poll`) that point here */
    struct fd_sync *poll;  /* the epoll instance's clock its descriptors were added to */
    struct fd_sync *next_free;
} fd_sync_t;

/* made_pc and made_tid are for reports only, read and written relaxed: a
 * report that reads them as another thread remakes the descriptor may
 * name the wrong maker, in a program that races on the descriptor. */
typedef struct fd_entry {
    fd_sync_t *sync;       /* first: the entry's address is the descriptor's word */
    uint64_t made_pc;      /* where it was made; 0 if not seen */
    uint32_t made_tid;
    uint32_t reserved;
} fd_entry_t;
_Static_assert(sizeof(fd_entry_t) % WORD == 0, "one word of its own per descriptor");

static struct {
    cc_spinlock_t map_lock;  /* mapping a block */
    cc_spinlock_t free_lock; /* the free list */
    fd_entry_t *blocks[BLOCKS];
    fd_sync_t *free;
} table;

static fd_sync_t files_sync = {.refs = STATIC_REFS};
static fd_sync_t sockets_sync = {.refs = STATIC_REFS};
/* connect releases here and accept acquires. */
static uint64_t connect_word;

static inline uint64_t addr_of(const void *p) { return (uint64_t)(uintptr_t)p; }

/* The entry of fd, its block mapped if need be; NULL out of range. */
static fd_entry_t *entry(int fd)
{
    if (CC_UNLIKELY(fd < 0 || fd >= CC_RACE_FD_MAX))
        return NULL;
    fd_entry_t **slot = &table.blocks[fd / BLOCK_FDS];
    fd_entry_t *block = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (CC_UNLIKELY(block == NULL)) {
        cc_spin_lock(&table.map_lock);
        block = *slot;
        if (!block) {
            block = cc_map(BLOCK_FDS * sizeof *block);
            __atomic_store_n(slot, block, __ATOMIC_RELEASE);
        }
        cc_spin_unlock(&table.map_lock);
    }
    return &block[fd % BLOCK_FDS];
}

/* ---- clocks ------------------------------------------------------------------- */

static fd_sync_t *sync_new(void)
{
    cc_spin_lock(&table.free_lock);
    fd_sync_t *s = table.free;
    if (s)
        table.free = s->next_free;
    cc_spin_unlock(&table.free_lock);
    if (!s)
        s = cc_alloc(sizeof *s); /* outside the lock: the arena takes its own */
    s->refs = 0;
    s->poll = NULL;
    s->next_free = NULL;
    return s;
}

static void sync_ref(fd_sync_t *s)
{
    if (s && __atomic_load_n(&s->refs, __ATOMIC_RELAXED) != STATIC_REFS)
        __atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}

/* Drops one reference; the last one gives back the clock, then the
 * reference it held on its epoll instance's, and so on (a loop: epoll
 * instances can be nested). */
static void sync_unref(fd_sync_t *s)
{
    while (s && __atomic_load_n(&s->refs, __ATOMIC_RELAXED) != STATIC_REFS &&
           __atomic_fetch_sub(&s->refs, 1, __ATOMIC_ACQ_REL) == 1) {
        fd_sync_t *poll = __atomic_exchange_n(&s->poll, NULL, __ATOMIC_ACQ_REL);
        cc_race_sync_forget_range(addr_of(s), addr_of(s) + 1);
        cc_spin_lock(&table.free_lock);
        s->next_free = table.free;
        table.free = s;
        cc_spin_unlock(&table.free_lock);
        s = poll;
    }
}

static void release_on(cc_thread_t *t, fd_sync_t *s)
{
    if (s)
        cc_race_release(t, addr_of(s), CC_SYNC_MAIN);
}

/* ---- entries -------------------------------------------------------------------- */

/* e now points to s (NULL: no clock); what it pointed to is dropped. */
static void entry_set_sync(fd_entry_t *e, fd_sync_t *s)
{
    sync_ref(s);
    sync_unref(__atomic_exchange_n(&e->sync, s, __ATOMIC_ACQ_REL));
}

static void word_access(cc_thread_t *t, fd_entry_t *e, bool write, uint64_t pc)
{
    cc_race_access(t, addr_of(e), WORD, write, pc);
}

/* The descriptor is gone: a clean word, no clock, not made by anyone. */
static void entry_forget(fd_entry_t *e)
{
    cc_race_shadow_reset(addr_of(e), WORD);
    __atomic_store_n(&e->made_pc, 0, __ATOMIC_RELAXED);
    entry_set_sync(e, NULL);
}

/* A new descriptor at e with clock s: whatever the number stood for
 * before is forgotten without a check (its close may have been one the
 * runtime does not see), then the making is stamped as a write, or as a
 * read for a dup2 target (see cc_race_fd_dup). */
static void entry_make(cc_thread_t *t, fd_entry_t *e, fd_sync_t *s, bool write, uint64_t pc)
{
    cc_race_shadow_reset(addr_of(e), WORD);
    __atomic_store_n(&e->made_tid, t->tid, __ATOMIC_RELAXED);
    __atomic_store_n(&e->made_pc, pc, __ATOMIC_RELAXED);
    entry_set_sync(e, s);
    word_access(t, e, write, pc);
}

/* ---- the hooks ------------------------------------------------------------------ */

void cc_race_fd_use(cc_thread_t *t, int fd, uint64_t pc)
{
    fd_entry_t *e = entry(fd);
    if (e)
        word_access(t, e, false, pc);
}

void cc_race_fd_release(cc_thread_t *t, int fd, uint64_t pc)
{
    fd_entry_t *e = entry(fd);
    if (!e)
        return;
    word_access(t, e, false, pc);
    fd_sync_t *s = __atomic_load_n(&e->sync, __ATOMIC_ACQUIRE);
    if (s) {
        release_on(t, s);
        release_on(t, __atomic_load_n(&s->poll, __ATOMIC_ACQUIRE));
    }
}

void cc_race_fd_acquire(cc_thread_t *t, int fd)
{
    fd_entry_t *e = entry(fd);
    fd_sync_t *s = e ? __atomic_load_n(&e->sync, __ATOMIC_ACQUIRE) : NULL;
    if (s)
        cc_race_acquire(t, addr_of(s), CC_SYNC_MAIN);
}

void cc_race_fd_made(cc_thread_t *t, int fd, cc_fd_sync_kind_t kind, uint64_t pc)
{
    fd_entry_t *e = entry(fd);
    if (!e)
        return;
    fd_sync_t *s = NULL;
    switch (kind) {
    case CC_FD_SYNC_NONE: break;
    case CC_FD_SYNC_OWN: s = sync_new(); break;
    case CC_FD_SYNC_FILES: s = &files_sync; break;
    case CC_FD_SYNC_SOCKETS: s = &sockets_sync; break;
    }
    entry_make(t, e, s, true, pc);
}

void cc_race_fd_made_pair(cc_thread_t *t, const int fds[2], uint64_t pc)
{
    fd_entry_t *e0 = entry(fds[0]), *e1 = entry(fds[1]);
    /* One end out of range: the other still gets the clock, which then
     * orders nothing but costs nothing either. */
    fd_sync_t *s = e0 || e1 ? sync_new() : NULL;
    if (e0)
        entry_make(t, e0, s, true, pc);
    if (e1)
        entry_make(t, e1, s, true, pc);
}

void cc_race_fd_dup(cc_thread_t *t, int oldfd, int newfd, bool replaced, uint64_t pc)
{
    fd_entry_t *from = entry(oldfd), *to = entry(newfd);
    if (!from || !to || from == to)
        return;
    word_access(t, from, false, pc);
    if (replaced)
        word_access(t, to, false, pc);
    entry_make(t, to, __atomic_load_n(&from->sync, __ATOMIC_ACQUIRE), !replaced, pc);
}

void cc_race_fd_closing(cc_thread_t *t, int fd, uint64_t pc)
{
    fd_entry_t *e = entry(fd);
    if (!e)
        return;
    /* Marked as a free, so that a report can tell the close from the
     * making (both write the word). */
    cc_race_freed(t, addr_of(e), WORD, pc);
    entry_forget(e);
}

void cc_race_fd_poll_added(cc_thread_t *t, int epfd, int fd)
{
    (void)t;
    fd_entry_t *ep = entry(epfd), *e = entry(fd);
    if (!ep || !e)
        return;
    fd_sync_t *poll = __atomic_load_n(&ep->sync, __ATOMIC_ACQUIRE);
    fd_sync_t *s = __atomic_load_n(&e->sync, __ATOMIC_ACQUIRE);
    /* The shared clocks of files and sockets are not tied to one epoll
     * instance: every file or socket write would release there. */
    if (!poll || !s || __atomic_load_n(&s->refs, __ATOMIC_RELAXED) == STATIC_REFS || s == poll)
        return;
    fd_sync_t *none = NULL;
    sync_ref(poll);
    if (!__atomic_compare_exchange_n(&s->poll, &none, poll, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        sync_unref(poll);
}

void cc_race_fd_connecting(cc_thread_t *t)
{
    cc_race_release(t, addr_of(&connect_word), CC_SYNC_MAIN);
}

void cc_race_fd_accepted(cc_thread_t *t)
{
    cc_race_acquire(t, addr_of(&connect_word), CC_SYNC_MAIN);
}

void cc_race_fd_connected(cc_thread_t *t, int fd)
{
    (void)t;
    fd_entry_t *e = entry(fd);
    fd_sync_t *none = NULL;
    /* The static clock is not counted: nothing to undo if another thread
     * gave the entry a clock first. */
    if (e)
        __atomic_compare_exchange_n(&e->sync, &none, &sockets_sync, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
}

/* ---- reports and fork --------------------------------------------------------------- */

bool cc_race_fd_describe(uint64_t addr, int *fd, uint32_t *made_tid, uint64_t *made_pc)
{
    for (uint32_t b = 0; b < BLOCKS; b++) {
        fd_entry_t *block = __atomic_load_n(&table.blocks[b], __ATOMIC_ACQUIRE);
        if (!block || addr < addr_of(block) || addr >= addr_of(block + BLOCK_FDS))
            continue;
        uint64_t i = (addr - addr_of(block)) / sizeof *block;
        if (addr - addr_of(&block[i]) >= WORD)
            return false; /* the rest of an entry: never accessed */
        *fd = (int)(b * BLOCK_FDS + i);
        *made_pc = __atomic_load_n(&block[i].made_pc, __ATOMIC_RELAXED);
        *made_tid = *made_pc ? __atomic_load_n(&block[i].made_tid, __ATOMIC_RELAXED)
                             : CC_TRACE_NO_THREAD;
        return true;
    }
    return false;
}

void cc_race_fd_fork_prepare(void)
{
    cc_spin_lock(&table.map_lock);
    cc_spin_lock(&table.free_lock);
}

void cc_race_fd_fork_release(void)
{
    cc_spin_unlock(&table.free_lock);
    cc_spin_unlock(&table.map_lock);
}

void cc_race_fd_after_fork_child(void)
{
    for (uint32_t b = 0; b < BLOCKS; b++) {
        fd_entry_t *block = table.blocks[b];
        if (block)
            cc_race_shadow_reset(addr_of(block), BLOCK_FDS * sizeof *block);
    }
}
