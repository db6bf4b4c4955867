/* The instrumentation ABI of -fsanitize=thread, atomic side:
 * __tsan_atomic{8,16,32,64,128}_{load,store,exchange,fetch_add,fetch_sub,
 * fetch_and,fetch_or,fetch_xor,fetch_nand,compare_exchange_strong,
 * compare_exchange_weak,compare_exchange_val} (gcc emits the _strong/_weak
 * spellings, clang the _val one) and the two fences.
 *
 * Each performs the operation itself on the real address, then makes the
 * happens-before edge its memory order asks for: a release (before the
 * store becomes visible, so a thread that reads the value finds the clock
 * published) for stores and read-modify-writes of order release, acq_rel or
 * seq_cst; an acquire (after the load) for loads and read-modify-writes of
 * order consume, acquire, acq_rel or seq_cst, or for a failed
 * compare-exchange its failure order. Relaxed operations make no edge.
 *
 * Rules:
 *  - The operation is done with an order at least as strong as asked (on
 *    x86-64 loads and read-modify-writes cost the same at any order).
 *  - Each operation is also a checked access (race/access.c), atomic: it
 *    races with plain accesses it is not ordered with, never with another
 *    atomic one. A store or read-modify-write is checked before its
 *    release, so the release covers it (a thread that acquires the value
 *    and then reads the variable plainly is after it). A compare-exchange
 *    is a write if it succeeds and a read if it fails, known only after
 *    it: with no release to make, it is checked after; with one, before,
 *    as a write.
 *  - 128-bit operations use cmpxchg16b (lock-free, compatible with
 *    libatomic's on the same CPUs), or striped spinlocks on a CPU without it.
 *  - Fences: a release (or stronger) fence makes this thread's later
 *    relaxed stores and read-modify-writes releases, until its next
 *    acquire-side operation; an acquire (or stronger) fence acquires the
 *    addresses of the last few relaxed loads since the previous one. Both
 *    can hide a race (they order a little more than the fence does), never
 *    invent one; loads past the last few are not acquired, so publication
 *    through many relaxed loads and one fence may be reported. */
#include <cpuid.h>
#include <stdint.h>

#include "race/access.h"
#include "thread.h"
#include "util.h"

enum { MO_RELAXED, MO_CONSUME, MO_ACQUIRE, MO_RELEASE, MO_ACQ_REL, MO_SEQ_CST };

/* gcc adds flags above the order (1 << 15 for __sync builtins, HLE hints
 * at 1 << 16 and 1 << 17); an unknown order counts as seq_cst. */
static inline int order(int mo)
{
    mo &= 0x7fff;
    return mo > MO_SEQ_CST ? MO_SEQ_CST : mo;
}
static inline bool is_acquire(int mo) { return mo != MO_RELAXED && mo != MO_RELEASE; }
static inline bool is_release(int mo) { return mo >= MO_RELEASE; }

/* ---- happens-before ----------------------------------------------------------- */

enum { FENCE_LOADS = 8 };

/* Per thread, for the fences. */
typedef struct fence_state {
    bool release_pending;
    uint32_t n_loads;
    uint64_t loads[FENCE_LOADS];
} fence_state_t;
static __thread fence_state_t fence __attribute__((tls_model("initial-exec")));

static inline cc_thread_t *hb_thread(void)
{
    cc_thread_t *t = cc_current_thread;
    return t != NULL && t->guard == 0 && t->race.active ? t : NULL;
}

/* Out of line: the relaxed path stays a few instructions. */
__attribute__((noinline)) static void hb_release(const volatile void *addr)
{
    cc_thread_t *t = hb_thread();
    if (t) {
        t->guard = 1;
        cc_race_release(t, (uint64_t)(uintptr_t)addr, CC_SYNC_MAIN);
        t->guard = 0;
    }
}

__attribute__((noinline)) static void hb_acquire(const volatile void *addr)
{
    fence.release_pending = false;
    cc_thread_t *t = hb_thread();
    if (t) {
        t->guard = 1;
        cc_race_acquire(t, (uint64_t)(uintptr_t)addr, CC_SYNC_MAIN);
        t->guard = 0;
    }
}

/* The atomic access of an operation (see the rules). */
__attribute__((noinline)) static void checked(const volatile void *addr, uint32_t size, bool write,
                                              uint64_t pc)
{
    cc_thread_t *t = hb_thread();
    if (t) {
        t->guard = 1;
        cc_race_access_atomic(t, (uint64_t)(uintptr_t)addr, size, write, pc);
        t->guard = 0;
    }
}

/* Whether a store or read-modify-write of order mo releases. */
static inline bool releases(int mo) { return is_release(mo) || CC_UNLIKELY(fence.release_pending); }

/* Before a store or read-modify-write of order mo: its access, then its
 * release. */
static inline void releasing(const volatile void *addr, uint32_t size, int mo, uint64_t pc)
{
    checked(addr, size, true, pc);
    if (releases(mo))
        hb_release(addr);
}

/* After a load or read-modify-write that read with order mo. */
static inline void acquired(const volatile void *addr, int mo)
{
    if (is_acquire(mo)) {
        hb_acquire(addr);
    } else {
        /* A spin loop loads one address over and over: keep it once. */
        uint64_t key = (uint64_t)(uintptr_t)addr;
        uint32_t n = fence.n_loads;
        if (n == 0 || fence.loads[(n - 1) % FENCE_LOADS] != key) {
            fence.loads[n % FENCE_LOADS] = key;
            fence.n_loads = n + 1;
        }
    }
}

/* ---- the operations, 8 to 64 bits ------------------------------------------------- */

#define CC_ATOMIC_PRIMITIVES(bits, T)                                                              \
    static inline T op_load##bits(const volatile T *a, int mo)                                     \
    {                                                                                              \
        return mo == MO_SEQ_CST ? __atomic_load_n(a, __ATOMIC_SEQ_CST)                             \
                                : __atomic_load_n(a, __ATOMIC_ACQUIRE);                            \
    }                                                                                              \
    static inline void op_store##bits(volatile T *a, T v, int mo)                                  \
    {                                                                                              \
        if (mo == MO_SEQ_CST)                                                                      \
            __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                              \
        else                                                                                       \
            __atomic_store_n(a, v, __ATOMIC_RELEASE);                                              \
    }                                                                                              \
    static inline T op_xchg##bits(volatile T *a, T v)                                              \
    {                                                                                              \
        return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                        \
    }                                                                                              \
    static inline T op_add##bits(volatile T *a, T v)                                               \
    {                                                                                              \
        return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                         \
    }                                                                                              \
    static inline T op_sub##bits(volatile T *a, T v)                                               \
    {                                                                                              \
        return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                         \
    }                                                                                              \
    static inline T op_and##bits(volatile T *a, T v)                                               \
    {                                                                                              \
        return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                         \
    }                                                                                              \
    static inline T op_or##bits(volatile T *a, T v)                                                \
    {                                                                                              \
        return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                          \
    }                                                                                              \
    static inline T op_xor##bits(volatile T *a, T v)                                               \
    {                                                                                              \
        return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                         \
    }                                                                                              \
    static inline T op_nand##bits(volatile T *a, T v)                                              \
    {                                                                                              \
        return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                        \
    }                                                                                              \
    static inline bool op_cas##bits(volatile T *a, T *expected, T v)                               \
    {                                                                                              \
        return __atomic_compare_exchange_n(a, expected, v, false, __ATOMIC_SEQ_CST,                \
                                           __ATOMIC_SEQ_CST);                                      \
    }

CC_ATOMIC_PRIMITIVES(8, int8_t)
CC_ATOMIC_PRIMITIVES(16, int16_t)
CC_ATOMIC_PRIMITIVES(32, int32_t)
CC_ATOMIC_PRIMITIVES(64, int64_t)

/* ---- 128 bits ------------------------------------------------------------------------ */

typedef __int128 i128;
typedef unsigned __int128 u128;

enum { STRIPES = 64 };
static cc_spinlock_t stripes[STRIPES];
static int has_cx16 = -1; /* unknown yet */

/* lock cmpxchg16b by hand: gcc sends 16-byte __sync builtins to libatomic
 * unless the whole file is built with -mcx16, and clang 14 ignores a
 * target("cx16") attribute for them. Returns what *a held. */
static u128 cx16_cas(volatile i128 *a, u128 expected, u128 v)
{
    uint64_t lo = (uint64_t)expected, hi = (uint64_t)(expected >> 64);
    __asm__ __volatile__("lock cmpxchg16b %0"
                         : "+m"(*a), "+a"(lo), "+d"(hi)
                         : "b"((uint64_t)v), "c"((uint64_t)(v >> 64))
                         : "memory", "cc");
    return (u128)hi << 64 | lo;
}

static bool cpu_has_cx16(void)
{
    int known = __atomic_load_n(&has_cx16, __ATOMIC_RELAXED);
    if (known < 0) {
        unsigned eax, ebx, ecx = 0, edx;
        known = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_CMPXCHG16B);
        __atomic_store_n(&has_cx16, known, __ATOMIC_RELAXED);
    }
    return known;
}

/* The value at a was `expected`: replaced by v. Returns what was there. */
static i128 cas_val128(volatile i128 *a, i128 expected, i128 v)
{
    if (CC_LIKELY(cpu_has_cx16()))
        return (i128)cx16_cas(a, (u128)expected, (u128)v);
    cc_spinlock_t *lock = &stripes[cc_hash64((uint64_t)(uintptr_t)a) % STRIPES];
    cc_spin_lock(lock);
    i128 old = *a;
    if (old == expected)
        *a = v;
    cc_spin_unlock(lock);
    return old;
}

typedef enum { OP_XCHG, OP_ADD, OP_SUB, OP_AND, OP_OR, OP_XOR, OP_NAND } op128_t;

static i128 rmw128(volatile i128 *a, op128_t op, i128 v)
{
    i128 old = cas_val128(a, 0, 0); /* a guess that is often right, and a load */
    for (;;) {
        i128 next = op == OP_XCHG  ? v
                    : op == OP_ADD ? (i128)((u128)old + (u128)v)
                    : op == OP_SUB ? (i128)((u128)old - (u128)v)
                    : op == OP_AND ? old & v
                    : op == OP_OR  ? old | v
                    : op == OP_XOR ? old ^ v
                                   : ~(old & v);
        i128 seen = cas_val128(a, old, next);
        if (seen == old)
            return old;
        old = seen;
    }
}

/* cmpxchg16b writes even when it fails (the value it read): the load works
 * on writable memory only, as the hardware's 16-byte atomics do. */
static inline i128 op_load128(const volatile i128 *a, int mo)
{
    (void)mo;
    return cas_val128((volatile i128 *)a, 0, 0);
}
static inline void op_store128(volatile i128 *a, i128 v, int mo)
{
    (void)mo;
    rmw128(a, OP_XCHG, v);
}
static inline i128 op_xchg128(volatile i128 *a, i128 v) { return rmw128(a, OP_XCHG, v); }
static inline i128 op_add128(volatile i128 *a, i128 v) { return rmw128(a, OP_ADD, v); }
static inline i128 op_sub128(volatile i128 *a, i128 v) { return rmw128(a, OP_SUB, v); }
static inline i128 op_and128(volatile i128 *a, i128 v) { return rmw128(a, OP_AND, v); }
static inline i128 op_or128(volatile i128 *a, i128 v) { return rmw128(a, OP_OR, v); }
static inline i128 op_xor128(volatile i128 *a, i128 v) { return rmw128(a, OP_XOR, v); }
static inline i128 op_nand128(volatile i128 *a, i128 v) { return rmw128(a, OP_NAND, v); }
static inline bool op_cas128(volatile i128 *a, i128 *expected, i128 v)
{
    i128 seen = cas_val128(a, *expected, v);
    bool ok = seen == *expected;
    *expected = seen;
    return ok;
}

/* ---- the entry points ------------------------------------------------------------------ */

#define CC_TSAN_RMW(bits, T, name, prim)                                                           \
    CC_EXPORT T __tsan_atomic##bits##_##name(volatile T *a, T v, int mo);                          \
    CC_EXPORT T __tsan_atomic##bits##_##name(volatile T *a, T v, int mo)                           \
    {                                                                                              \
        mo = order(mo);                                                                            \
        releasing(a, sizeof(T), mo, CC_RET_PC());                                                  \
        T old = prim##bits(a, v);                                                                  \
        acquired(a, mo);                                                                           \
        return old;                                                                                \
    }

/* Both spellings; a weak compare-exchange is done as a strong one (it may
 * fail spuriously, so succeeding is always allowed). */
#define CC_TSAN_CAS(bits, T, name)                                                                 \
    CC_EXPORT int __tsan_atomic##bits##_##name(volatile T *a, T *expected, T v, int mo,            \
                                               int fail_mo);                                       \
    CC_EXPORT int __tsan_atomic##bits##_##name(volatile T *a, T *expected, T v, int mo,            \
                                               int fail_mo)                                        \
    {                                                                                              \
        bool ok = compare_exchange##bits(a, expected, v, order(mo), order(fail_mo), CC_RET_PC()); \
        return ok;                                                                                 \
    }

#define CC_TSAN_ATOMICS(bits, T)                                                                   \
    static inline bool compare_exchange##bits(volatile T *a, T *expected, T v, int mo,             \
                                              int fail_mo, uint64_t pc)                           \
    {                                                                                              \
        bool early = releases(mo);                                                                 \
        if (early)                                                                                 \
            releasing(a, sizeof(T), mo, pc);                                                       \
        bool ok = op_cas##bits(a, expected, v);                                                    \
        if (!early)                                                                                \
            checked(a, sizeof(T), ok, pc);                                                         \
        acquired(a, ok ? mo : fail_mo);                                                            \
        return ok;                                                                                 \
    }                                                                                              \
    CC_EXPORT T __tsan_atomic##bits##_load(const volatile T *a, int mo);                           \
    CC_EXPORT T __tsan_atomic##bits##_load(const volatile T *a, int mo)                            \
    {                                                                                              \
        mo = order(mo);                                                                            \
        checked(a, sizeof(T), false, CC_RET_PC());                                                 \
        T v = op_load##bits(a, mo);                                                                \
        acquired(a, mo);                                                                           \
        return v;                                                                                  \
    }                                                                                              \
    CC_EXPORT void __tsan_atomic##bits##_store(volatile T *a, T v, int mo);                        \
    CC_EXPORT void __tsan_atomic##bits##_store(volatile T *a, T v, int mo)                         \
    {                                                                                              \
        mo = order(mo);                                                                            \
        releasing(a, sizeof(T), mo, CC_RET_PC());                                                  \
        op_store##bits(a, v, mo);                                                                  \
    }                                                                                              \
    CC_TSAN_RMW(bits, T, exchange, op_xchg)                                                        \
    CC_TSAN_RMW(bits, T, fetch_add, op_add)                                                        \
    CC_TSAN_RMW(bits, T, fetch_sub, op_sub)                                                        \
    CC_TSAN_RMW(bits, T, fetch_and, op_and)                                                        \
    CC_TSAN_RMW(bits, T, fetch_or, op_or)                                                          \
    CC_TSAN_RMW(bits, T, fetch_xor, op_xor)                                                        \
    CC_TSAN_RMW(bits, T, fetch_nand, op_nand)                                                      \
    CC_TSAN_CAS(bits, T, compare_exchange_strong)                                                  \
    CC_TSAN_CAS(bits, T, compare_exchange_weak)                                                    \
    CC_EXPORT T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T expected, T v, int mo, \
                                                           int fail_mo);                           \
    CC_EXPORT T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T expected, T v, int mo, \
                                                           int fail_mo)                            \
    {                                                                                              \
        compare_exchange##bits(a, &expected, v, order(mo), order(fail_mo), CC_RET_PC());          \
        return expected; /* the old value either way */                                            \
    }

CC_TSAN_ATOMICS(8, int8_t)
CC_TSAN_ATOMICS(16, int16_t)
CC_TSAN_ATOMICS(32, int32_t)
CC_TSAN_ATOMICS(64, int64_t)
CC_TSAN_ATOMICS(128, i128)

/* ---- fences ------------------------------------------------------------------------------ */

CC_EXPORT void __tsan_atomic_thread_fence(int mo);
CC_EXPORT void __tsan_atomic_thread_fence(int mo)
{
    mo = order(mo);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (is_acquire(mo)) {
        uint32_t n = fence.n_loads < FENCE_LOADS ? fence.n_loads : FENCE_LOADS;
        fence.n_loads = 0;
        for (uint32_t i = 0; i < n; i++)
            hb_acquire((const void *)(uintptr_t)fence.loads[i]);
        fence.release_pending = false;
    }
    if (is_release(mo))
        fence.release_pending = true;
}

/* Orders a thread with its own signal handlers only: no edge between
 * threads. */
CC_EXPORT void __tsan_atomic_signal_fence(int mo);
CC_EXPORT void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
