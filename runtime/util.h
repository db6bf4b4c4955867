/* Small tools every runtime file uses: raw syscalls, fatal errors, a
 * spinlock, and an mmap'd arena.
 *
 * Rules: nothing here calls malloc, stdio or an intercepted function, so all
 * of it is safe before initialisation, inside dlsym, in a signal handler and
 * between fork and exec. Functions that make syscalls preserve errno. */
#ifndef CC_UTIL_H
#define CC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CC_HIDDEN __attribute__((visibility("hidden")))
#define CC_EXPORT __attribute__((visibility("default")))
#define CC_LIKELY(x) __builtin_expect(!!(x), 1)
#define CC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* write(2) of the whole buffer with the raw syscall, retrying on EINTR and
 * short writes. Returns 0 or -1; errno is preserved either way. */
int cc_write_all(int fd, const void *buf, size_t len);

/* Formats like a tiny snprintf (%s %d %u %lu %llu %x %lx %p %%) into buf;
 * always NUL-terminates; returns the length written. Signal-safe. */
size_t cc_format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t cc_vformat(char *buf, size_t size, const char *fmt, va_list ap);

/* "ccheck: <message>\n" on stderr, signal-safe. */
void cc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cc_log, then abort with the raw syscalls (no atexit, no flushing). */
_Noreturn void cc_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t cc_monotonic_ns(void);
uint64_t cc_realtime_ns(void);
/* CLOCK_MONOTONIC_COARSE: the time of the last timer tick, read from the
 * vDSO's data page with no syscall and no TSC read (a few ns, against ~25
 * for CLOCK_MONOTONIC on a 2-core EPYC VM), exact to one tick (1-10 ms, by
 * the kernel's HZ). Inline, as the lock path calls it when hold times are
 * measured; no errno on this clock. */
static inline uint64_t cc_coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
uint32_t cc_gettid(void);
void cc_yield(void);
void cc_sleep_ns(uint64_t ns);

/* A test-and-test-and-set spinlock for rare, short critical sections (thread
 * creation, arena refills). Never held across a call that can block. */
typedef struct cc_spinlock {
    int locked;
} cc_spinlock_t;
void cc_spin_lock(cc_spinlock_t *lock);
void cc_spin_unlock(cc_spinlock_t *lock);

/* Memory that never moves and is never returned: mmap'd in large chunks,
 * handed out by an atomic bump. Zeroed. Dies (with a message) when the
 * system refuses memory, since the runtime cannot go on without it. */
void *cc_alloc(size_t size);
/* cc_alloc at a multiple of `align` (a power of two up to 4096), for
 * per-thread state that must not share a cache line with another's. */
void *cc_alloc_aligned(size_t size, size_t align);
/* A fresh mapping of its own (for big tables), zeroed, lazily backed. */
void *cc_map(size_t size);

/* Where an interposed function was called from: the return address into
 * the program, and the interposer's CFA (the caller's stack pointer at the
 * call). Taken in the exported function itself, so the macro must expand
 * there and not in a helper. */
typedef struct cc_caller {
    uint64_t pc;
    uint64_t cfa;
} cc_caller_t;

#define CC_CALLER()                                                                    \
    ((cc_caller_t){(uint64_t)(uintptr_t)__builtin_return_address(0),                   \
                   (uint64_t)(uintptr_t)__builtin_dwarf_cfa()})

static inline uint64_t cc_hash64(uint64_t x)
{
    /* splitmix64's finaliser: cheap, and spreads aligned addresses well. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#endif
