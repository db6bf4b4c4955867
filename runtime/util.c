/* Raw-syscall helpers, signal-safe formatting, spinlock and arena.
 * See util.h for the rules these follow. */
#include "util.h"
#include "runtime.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int cc_write_all(int fd, const void *buf, size_t len)
{
    int saved_errno = errno;
    const char *p = buf;
    int rc = 0;
    while (len > 0) {
        long n = syscall(SYS_write, fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    errno = saved_errno;
    return rc;
}

static size_t put_char(char *buf, size_t size, size_t at, char c)
{
    if (at + 1 < size)
        buf[at] = c;
    return at + 1;
}

static size_t put_unsigned(char *buf, size_t size, size_t at, unsigned long long v, unsigned base)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0)
        at = put_char(buf, size, at, digits[--n]);
    return at;
}

size_t cc_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t at = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            at = put_char(buf, size, at, *f);
            continue;
        }
        int longs = 0;
        f++;
        while (*f == 'l') {
            longs++;
            f++;
        }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                at = put_char(buf, size, at, *s);
            break;
        }
        case 'd': {
            long long v = longs ? va_arg(ap, long) : va_arg(ap, int);
            if (longs > 1)
                v = (long long)v;
            if (v < 0) {
                at = put_char(buf, size, at, '-');
                at = put_unsigned(buf, size, at, 0ull - (unsigned long long)v, 10);
            } else {
                at = put_unsigned(buf, size, at, (unsigned long long)v, 10);
            }
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            at = put_unsigned(buf, size, at, v, *f == 'x' ? 16 : 10);
            break;
        }
        case 'p':
            at = put_char(buf, size, at, '0');
            at = put_char(buf, size, at, 'x');
            at = put_unsigned(buf, size, at, (uintptr_t)va_arg(ap, void *), 16);
            break;
        case '%':
            at = put_char(buf, size, at, '%');
            break;
        default:
            return at < size ? (buf[at] = 0, at) : (size ? (buf[size - 1] = 0, size - 1) : 0);
        }
    }
    if (size > 0)
        buf[at < size ? at : size - 1] = 0;
    return at < size ? at : (size ? size - 1 : 0);
}

size_t cc_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = cc_vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void vlog(const char *fmt, va_list ap)
{
    char line[512];
    size_t n = cc_format(line, sizeof line, "ccheck: ");
    n += cc_vformat(line + n, sizeof line - n - 1, fmt, ap);
    line[n++] = '\n';
    cc_write_all(2, line, n);
}

void cc_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void cc_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
    /* No abort(): it may run the program's SIGABRT handler and our own. */
    syscall(SYS_tgkill, getpid(), cc_gettid(), SIGKILL);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts); /* vDSO; no errno on these clocks */
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t cc_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t cc_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint32_t cc_gettid(void) { return (uint32_t)syscall(SYS_gettid); }

void cc_yield(void)
{
    int saved_errno = errno;
    syscall(SYS_sched_yield);
    errno = saved_errno;
}

static inline void cc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

void cc_sleep_ns(uint64_t ns)
{
    int saved_errno = errno;
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    syscall(SYS_nanosleep, &ts, NULL);
    errno = saved_errno;
}

void cc_spin_lock(cc_spinlock_t *lock)
{
    for (;;) {
        if (!__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
            return;
        for (int spins = 0; __atomic_load_n(&lock->locked, __ATOMIC_RELAXED); spins++) {
            if (spins > 64)
                cc_yield();
            else
                cc_cpu_relax();
        }
    }
}

void cc_spin_unlock(cc_spinlock_t *lock) { __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE); }

void *cc_map(size_t size)
{
    int saved_errno = errno;
    void *p = (void *)syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        cc_die("cannot map %lu bytes of memory (errno %d)", (unsigned long)size, errno);
    errno = saved_errno;
    return p;
}

enum { CC_ARENA_CHUNK = 4u << 20 };

static struct {
    cc_spinlock_t refill;
    char *chunk; /* current chunk; `used` counts into it */
    size_t used;
} arena;

void *cc_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > CC_ARENA_CHUNK / 4)
        return cc_map(size);
    for (;;) {
        char *chunk = __atomic_load_n(&arena.chunk, __ATOMIC_ACQUIRE);
        if (chunk) {
            size_t at = __atomic_fetch_add(&arena.used, size, __ATOMIC_RELAXED);
            /* Another thread may have swapped the chunk between our two
             * loads; then `at` belongs to the new chunk, which is fine as
             * long as we use the chunk `used` refers to: re-check. */
            if (at + size <= CC_ARENA_CHUNK &&
                __atomic_load_n(&arena.chunk, __ATOMIC_ACQUIRE) == chunk)
                return chunk + at;
        }
        cc_spin_lock(&arena.refill);
        /* Refill only if nobody did while we waited for the lock. */
        if (__atomic_load_n(&arena.chunk, __ATOMIC_ACQUIRE) == chunk &&
            (!chunk || __atomic_load_n(&arena.used, __ATOMIC_RELAXED) + size > CC_ARENA_CHUNK)) {
            char *fresh = cc_map(CC_ARENA_CHUNK);
            /* Publish an exhausted counter first so that no thread bumps
             * into the new chunk with the old chunk's offsets. */
            __atomic_store_n(&arena.used, (size_t)CC_ARENA_CHUNK, __ATOMIC_RELAXED);
            __atomic_store_n(&arena.chunk, fresh, __ATOMIC_RELEASE);
            __atomic_store_n(&arena.used, (size_t)0, __ATOMIC_RELEASE);
        }
        cc_spin_unlock(&arena.refill);
    }
}

void *cc_alloc_aligned(size_t size, size_t align)
{
    /* Round the size up too, so the next block starts on a new line. */
    size = (size + align - 1) & ~(align - 1);
    uintptr_t p = (uintptr_t)cc_alloc(size + align);
    return (void *)((p + align - 1) & ~(uintptr_t)(align - 1));
}

void cc_arena_fork_prepare(void) { cc_spin_lock(&arena.refill); }
void cc_arena_fork_release(void) { cc_spin_unlock(&arena.refill); }
