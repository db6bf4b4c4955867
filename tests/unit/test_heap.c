/* Unit tests of the heap block registry (runtime/race/heap.c): blocks found
 * from interior pointers whatever their size and alignment, not found once
 * freed or outside them, a block registered again at the same address
 * (its free unseen), millions of blocks with their slots reused, and
 * allocations and frees from several threads at once.
 *
 * The registry stores addresses, never touches the memory: the tests use
 * made-up addresses, each test its own range, and free all they add. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "race/race.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

/* The block holding addr must be the one at start, with its size, stack
 * and thread. */
static void assert_found(uint64_t addr, uint64_t start, uint64_t size, uint32_t stack,
                         uint32_t tid)
{
    cc_heap_block_t b;
    if (!cc_race_heap_find(addr, &b))
        fail_msg("no block found for %#llx (expected [%#llx, +%llu))", (unsigned long long)addr,
                 (unsigned long long)start, (unsigned long long)size);
    assert_int_equal(b.addr, start);
    assert_int_equal(b.size, size);
    assert_int_equal(b.alloc_stack, stack);
    assert_int_equal(b.alloc_tid, tid);
}

static void assert_not_found(uint64_t addr)
{
    cc_heap_block_t b;
    if (cc_race_heap_find(addr, &b))
        fail_msg("%#llx found in [%#llx, +%llu), expected no block", (unsigned long long)addr,
                 (unsigned long long)b.addr, (unsigned long long)b.size);
}

/* Every byte offset worth probing: both ends, the middle, and just around
 * 4 KiB steps (the backward scan's reach and the granule edges). */
static void assert_covers(uint64_t start, uint64_t size, uint32_t stack, uint32_t tid)
{
    assert_found(start, start, size, stack, tid);
    assert_found(start + size - 1, start, size, stack, tid);
    assert_found(start + size / 2, start, size, stack, tid);
    for (uint64_t off = 4 * KIB - 1; off < size && off < 200 * KIB; off += 4 * KIB) {
        assert_found(start + off, start, size, stack, tid);
        if (off + 1 < size)
            assert_found(start + off + 1, start, size, stack, tid);
    }
    assert_not_found(start + size);
    if (start > 0)
        assert_not_found(start - 1);
}

/* ---- tests ------------------------------------------------------------------- */

/* Small blocks next to each other: each interior byte finds its own
 * block; freed blocks and the gaps find none. */
static void test_small_blocks(void **state)
{
    (void)state;
    const uint64_t base = 0x100000000000;
    enum { N = 64, STRIDE = 48, SIZE = 40 };
    for (uint32_t i = 0; i < N; i++)
        cc_race_heap_allocated(base + i * STRIDE, SIZE, 100 + i, i);
    for (uint32_t i = 0; i < N; i++) {
        uint64_t start = base + i * STRIDE;
        for (uint64_t off = 0; off < SIZE; off++)
            assert_found(start + off, start, SIZE, 100 + i, i);
        for (uint64_t off = SIZE; off < STRIDE; off++)
            assert_not_found(start + off); /* the gap after it */
    }
    assert_not_found(base - 1);
    /* By its start only. */
    cc_heap_block_t b;
    assert_true(cc_race_heap_get(base + STRIDE, &b));
    assert_int_equal(b.addr, base + STRIDE);
    assert_int_equal(b.size, SIZE);
    assert_int_equal(b.alloc_stack, 101);
    assert_int_equal(b.alloc_tid, 1);
    assert_false(cc_race_heap_get(base + STRIDE + 8, &b));
    assert_false(cc_race_heap_get(base + SIZE, &b));
    /* Free every other one. */
    for (uint32_t i = 0; i < N; i += 2)
        assert_int_equal(cc_race_heap_freed(base + i * STRIDE), SIZE);
    for (uint32_t i = 0; i < N; i++) {
        uint64_t start = base + i * STRIDE;
        if (i % 2 == 0) {
            assert_not_found(start);
            assert_not_found(start + SIZE - 1);
            assert_false(cc_race_heap_get(start, &b));
            assert_int_equal(cc_race_heap_freed(start), 0); /* twice: unknown */
        } else {
            assert_found(start + 7, start, SIZE, 100 + i, i);
            assert_int_equal(cc_race_heap_freed(start), SIZE);
        }
    }
    assert_not_found(base + 7);
}

/* Blocks of every scale, from just above the backward scan's reach to
 * gigabytes, found from anywhere inside. */
static void test_large_blocks(void **state)
{
    (void)state;
    const uint64_t sizes[] = {4 * KIB,       4 * KIB + 8,  5000,          64 * KIB,
                              64 * KIB + 16, 100 * KIB,    1 * MIB + 48,  10 * MIB,
                              300 * MIB,     3 * GIB + 16, 70 * GIB + 32};
    uint64_t start = 0x200000000010; /* not page-aligned */
    uint64_t starts[CC_ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < CC_ARRAY_SIZE(sizes); i++) {
        starts[i] = start;
        cc_race_heap_allocated(start, sizes[i], 7, 1);
        start += sizes[i] + 4 * KIB + 16; /* a gap of its own */
    }
    for (size_t i = 0; i < CC_ARRAY_SIZE(sizes); i++) {
        assert_covers(starts[i], sizes[i], 7, 1);
        assert_not_found(starts[i] + sizes[i] + 4 * KIB); /* the far end of the gap */
    }
    for (size_t i = 0; i < CC_ARRAY_SIZE(sizes); i++) {
        assert_int_equal(cc_race_heap_freed(starts[i]), sizes[i]);
        assert_not_found(starts[i]);
        assert_not_found(starts[i] + sizes[i] / 2);
        assert_not_found(starts[i] + sizes[i] - 1);
    }
}

/* A small block inside the span of a large one that was freed, and blocks
 * off the 8-byte grid (an allocator that hands out such addresses). */
static void test_odd_addresses(void **state)
{
    (void)state;
    const uint64_t base = 0x300000000000;
    cc_race_heap_allocated(base + 3, 21, 1, 2);
    cc_race_heap_allocated(base + 37, 2, 2, 2);
    cc_race_heap_allocated(base + 40, 8, 3, 2); /* on the grid, right after */
    assert_covers(base + 3, 21, 1, 2);
    assert_found(base + 37, base + 37, 2, 2, 2);
    assert_found(base + 38, base + 37, 2, 2, 2);
    assert_not_found(base + 39);
    assert_covers(base + 40, 8, 3, 2);
    /* Blocks near address 0 (the scan must not wrap). */
    cc_race_heap_allocated(8, 16, 4, 2);
    assert_covers(8, 16, 4, 2);
    assert_not_found(1);
    assert_int_equal(cc_race_heap_freed(8), 16);
    assert_not_found(8);

    assert_int_equal(cc_race_heap_freed(base + 3), 21);
    assert_int_equal(cc_race_heap_freed(base + 37), 2);
    assert_int_equal(cc_race_heap_freed(base + 40), 8);
    assert_not_found(base + 4);
    assert_not_found(base + 38);

    /* An empty block has nothing to find, and its free is unknown. */
    cc_race_heap_allocated(base + 64, 0, 5, 2);
    assert_not_found(base + 64);
    assert_int_equal(cc_race_heap_freed(base + 64), 0);
}

/* A block registered again at its address without a free in between (a
 * free the runtime did not see): the new one replaces it, the old one's
 * far reaches are forgotten. */
static void test_registered_again(void **state)
{
    (void)state;
    const uint64_t base = 0x400000000000;
    cc_race_heap_allocated(base, 1 * MIB, 1, 3);
    assert_found(base + 900 * KIB, base, 1 * MIB, 1, 3);
    cc_race_heap_allocated(base, 32, 2, 4);
    assert_found(base + 31, base, 32, 2, 4);
    assert_not_found(base + 32);
    assert_not_found(base + 900 * KIB);
    /* And back to a large one of another scale. */
    cc_race_heap_allocated(base, 40 * KIB, 3, 5);
    assert_covers(base, 40 * KIB, 3, 5);
    assert_int_equal(cc_race_heap_freed(base), 40 * KIB);
    assert_not_found(base + 20 * KIB);
    assert_not_found(base);
}

static uint64_t vm_size_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    uint64_t kib = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %lu kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Millions of live blocks: all found; freed, their slots serve the next
 * million without the registry mapping any more memory. */
static void test_millions(void **state)
{
    (void)state;
    enum { N = 2000000 };
    const uint64_t base = 0x500000000000, stride = 96;
    for (uint32_t round = 0; round < 3; round++) {
        uint64_t first = base + round * 64; /* other addresses each round */
        uint64_t vm_before = vm_size_kib();
        for (uint32_t i = 0; i < N; i++)
            cc_race_heap_allocated(first + i * stride, 64 + (i & 31), i, round);
        uint64_t vm_after = vm_size_kib();
        if (round > 0)
            assert_int_equal(vm_after, vm_before); /* slots reused */
        for (uint32_t i = 0; i < N; i += 997)
            assert_found(first + i * stride + 63, first + i * stride, 64 + (i & 31), i, round);
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(cc_race_heap_freed(first + i * stride), 64 + (i & 31));
        for (uint32_t i = 0; i < N; i += 997)
            assert_not_found(first + i * stride + 10);
    }
}

/* Threads allocating and freeing at once, each in its own range, with
 * blocks small and large; each checks its own live blocks as it goes.
 * Thousands live per thread, so that shards grow under the others. */
enum { THREADS = 4, LIVE = 65536, OPS = 400000 };

typedef struct worker {
    uint32_t id;
    uint64_t base;
    uint64_t size[LIVE]; /* 0: slot free */
    uint32_t failures;
} worker_t;

static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    uint64_t x = 0x9e3779b97f4a7c15ull * (w->id + 1);
    const uint64_t slot_span = 64 * KIB;
    for (uint32_t op = 0; op < OPS; op++) {
        uint32_t slot = (uint32_t)(next_random(&x) % LIVE);
        uint64_t start = w->base + slot * slot_span;
        if (w->size[slot]) {
            cc_heap_block_t b;
            uint64_t inside = start + next_random(&x) % w->size[slot];
            if (!cc_race_heap_find(inside, &b) || b.addr != start || b.alloc_tid != w->id)
                w->failures++;
            if (cc_race_heap_freed(start) != w->size[slot])
                w->failures++;
            w->size[slot] = 0;
        } else {
            /* Mostly small, sometimes up to the slot's span. */
            uint64_t r = next_random(&x);
            uint64_t size = (r & 15) == 0 ? 1 + r % (slot_span - 64) : 1 + r % 512;
            cc_race_heap_allocated(start, size, slot, w->id);
            w->size[slot] = size;
        }
    }
    for (uint32_t slot = 0; slot < LIVE; slot++)
        if (w->size[slot] && cc_race_heap_freed(w->base + slot * slot_span) != w->size[slot])
            w->failures++;
    return NULL;
}

/* Runs THREADS workers of `main_fn`, worker i at base + i * stride, and
 * checks that none failed. */
static void run_workers(worker_t *workers, void *(*main_fn)(void *), uint64_t base,
                        uint64_t stride)
{
    pthread_t threads[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].id = i;
        workers[i].base = base + (uint64_t)i * stride;
        assert_int_equal(pthread_create(&threads[i], NULL, main_fn, &workers[i]), 0);
    }
    for (uint32_t i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].failures, 0);
    }
}

static void test_concurrent(void **state)
{
    (void)state;
    static worker_t workers[THREADS];
    run_workers(workers, worker_main, 0x600000000000, 8 * GIB);
    for (uint32_t i = 0; i < THREADS; i++)
        assert_not_found(workers[i].base + 10);
}

/* Threads that only add and remove, as fast as they can: the shards grow
 * and shrink back under contention, and no block may be lost. */
enum { CHURN_BLOCKS = 150000, CHURN_ROUNDS = 3 };

static void *churn_main(void *arg)
{
    worker_t *w = arg;
    for (uint32_t round = 0; round < CHURN_ROUNDS; round++) {
        for (uint64_t i = 0; i < CHURN_BLOCKS; i++)
            cc_race_heap_allocated(w->base + i * 32, 16 + (i & 15), round, w->id);
        for (uint64_t i = 0; i < CHURN_BLOCKS; i++)
            if (cc_race_heap_freed(w->base + i * 32) != 16 + (i & 15))
                w->failures++;
    }
    return NULL;
}

static void test_concurrent_churn(void **state)
{
    (void)state;
    static worker_t workers[THREADS];
    run_workers(workers, churn_main, 0x700000000000, GIB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_blocks),      cmocka_unit_test(test_large_blocks),
        cmocka_unit_test(test_odd_addresses),     cmocka_unit_test(test_registered_again),
        cmocka_unit_test(test_millions),          cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_concurrent_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
