/* TSan's test-only barrier, which ThreadSanitizer's own test suite (and
 * tests written in its style) use to put threads in a chosen order without
 * creating happens-before: a race test must still race after it. Having
 * it lets those tests link against libccheck unchanged.
 *
 * The barrier is one 32-bit word: the low COUNT_BITS hold the number of
 * parties, the rest count arrivals since init. Arrival n belongs to round
 * n / parties; the last arrival of a round wakes the others, who wait on
 * the word with a futex until the round changes. Relaxed atomics and raw
 * futex calls: nothing here is visible to the race detector or to the
 * lock-order and watchdog bookkeeping, which is the point. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

enum {
    COUNT_BITS = 10,
    ARRIVAL = 1u << COUNT_BITS, /* one arrival, in the word's upper bits */
};

static uint32_t round_of(uint32_t word)
{
    return (word >> COUNT_BITS) / (word & (ARRIVAL - 1));
}

CC_EXPORT void __tsan_testonly_barrier_init(uint32_t *barrier, uint32_t count);
CC_EXPORT void __tsan_testonly_barrier_init(uint32_t *barrier, uint32_t count)
{
    if (count == 0 || count >= ARRIVAL)
        cc_die("__tsan_testonly_barrier_init: %u parties (1 to %u supported)", count,
               ARRIVAL - 1);
    __atomic_store_n(barrier, count, __ATOMIC_RELAXED);
}

CC_EXPORT void __tsan_testonly_barrier_wait(uint32_t *barrier);
CC_EXPORT void __tsan_testonly_barrier_wait(uint32_t *barrier)
{
    int saved_errno = errno;
    uint32_t before = __atomic_fetch_add(barrier, ARRIVAL, __ATOMIC_RELAXED);
    uint32_t round = round_of(before);
    if (round_of(before + ARRIVAL) != round) {
        syscall(SYS_futex, barrier, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    } else {
        uint32_t now;
        while (round_of(now = __atomic_load_n(barrier, __ATOMIC_RELAXED)) == round)
            syscall(SYS_futex, barrier, FUTEX_WAIT_PRIVATE, now, NULL, NULL, 0);
    }
    errno = saved_errno;
}
