/* Unit tests of the stack depot (runtime/stack.c): ids for stacks interned
 * from several threads at once, the depth clamp, the empty stack,
 * cc_stack_earlier, and the trace it writes: exactly one STACK record per
 * id, and again once in a new trace (a fork child's). */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccheck/trace_format.h"
#include "stack.h"
#include "support/trace_files.h"
#include "trace.h"
#include "trace_reader.h"

static char *trace_path; /* the trace every test but the last writes to */

/* ---- what the tests interned ------------------------------------------------ */

/* Every distinct stack interned into the trace, by id. */
enum { MAX_IDS = 1u << 16 };
static struct {
    uint32_t depth;
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
} known[MAX_IDS];
static uint32_t max_id;

static void remember(uint32_t id, const uint64_t *pcs, uint32_t depth)
{
    assert_int_not_equal(id, CC_TRACE_NO_STACK);
    assert_true(id < MAX_IDS);
    assert_true(depth >= 1 && depth <= CC_TRACE_MAX_FRAMES);
    if (known[id].depth) {
        /* The same id must stand for the same stack. */
        assert_int_equal(known[id].depth, depth);
        assert_memory_equal(known[id].pcs, pcs, depth * sizeof *pcs);
        return;
    }
    known[id].depth = depth;
    memcpy(known[id].pcs, pcs, depth * sizeof *pcs);
    if (id > max_id)
        max_id = id;
}

static uint32_t intern(const uint64_t *pcs, uint32_t n)
{
    uint32_t id = cc_stack_intern(pcs, n);
    remember(id, pcs, n < CC_TRACE_MAX_FRAMES ? n : CC_TRACE_MAX_FRAMES);
    return id;
}

/* ---- setup ------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    if (!make_trace_dir("depot"))
        return -1;
    start_runtime_by_hand();
    trace_path = open_new_trace(CC_ORIGIN_START);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_trace_dir();
    free(trace_path);
    return 0;
}

/* ---- interning from several threads ----------------------------------------- */

enum {
    N_THREADS = 4,
    ROUNDS = 16,
    SHARED = 1024,   /* stacks every thread interns, per round */
    PRIVATE = 256,   /* stacks only one thread interns, per round */
};

/* Stack j of a round: groups of four share their frames and differ in depth
 * (1, 6, 11, 16), so equal prefixes must not be taken for equal stacks. */
static uint32_t shared_stack(uint32_t round, uint32_t j, uint64_t *pcs)
{
    uint32_t depth = 1 + (j % 4) * 5;
    for (uint32_t i = 0; i < depth; i++)
        pcs[i] = 0x400000 + ((uint64_t)round << 32) + (uint64_t)(j / 4) * 0x1000 + i * 8;
    return depth;
}

static uint32_t private_stack(uint32_t thread, uint32_t round, uint32_t j, uint64_t *pcs)
{
    uint32_t depth = 2 + j % 7;
    for (uint32_t i = 0; i < depth; i++)
        pcs[i] = 0x7f0000000000 + ((uint64_t)thread << 40) + ((uint64_t)round << 24) +
                 (uint64_t)j * 0x100 + i;
    return depth;
}

typedef struct worker {
    pthread_t handle;
    uint32_t index;
    uint32_t shared_ids[ROUNDS][SHARED];
    uint32_t second_ids[ROUNDS][SHARED]; /* the same stacks, interned again */
    uint32_t private_ids[ROUNDS][PRIVATE];
} worker_t;

static pthread_barrier_t round_barrier;

static void *work(void *arg)
{
    worker_t *me = arg;
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    for (uint32_t round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&round_barrier);
        /* Half the threads go forwards, half backwards, each twice: threads
         * race to insert the same new stacks and then meet them again. */
        for (uint32_t pass = 0; pass < 2; pass++) {
            for (uint32_t k = 0; k < SHARED; k++) {
                uint32_t j = me->index % 2 ? SHARED - 1 - k : k;
                uint32_t depth = shared_stack(round, j, pcs);
                uint32_t id = cc_stack_intern(pcs, depth);
                if (pass == 0)
                    me->shared_ids[round][j] = id;
                else
                    me->second_ids[round][j] = id;
                if (k % 4 == 0) {
                    uint32_t p = k / 4;
                    depth = private_stack(me->index, round, p, pcs);
                    me->private_ids[round][p] = cc_stack_intern(pcs, depth);
                }
            }
        }
    }
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_concurrent_intern(void **state)
{
    (void)state;
    worker_t *workers = calloc(N_THREADS, sizeof *workers);
    assert_non_null(workers);
    assert_int_equal(pthread_barrier_init(&round_barrier, NULL, N_THREADS), 0);
    for (uint32_t t = 0; t < N_THREADS; t++) {
        workers[t].index = t;
        assert_int_equal(pthread_create(&workers[t].handle, NULL, work, &workers[t]), 0);
    }
    for (uint32_t t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_join(workers[t].handle, NULL), 0);
    pthread_barrier_destroy(&round_barrier);

    /* Equal stacks, equal ids; every id nonzero. */
    enum { ALL = ROUNDS * (SHARED + N_THREADS * PRIVATE) };
    uint32_t *all = calloc(ALL, sizeof *all);
    assert_non_null(all);
    size_t n = 0;
    uint64_t pcs[CC_TRACE_MAX_FRAMES];
    for (uint32_t round = 0; round < ROUNDS; round++) {
        for (uint32_t j = 0; j < SHARED; j++) {
            uint32_t id = workers[0].shared_ids[round][j];
            for (uint32_t t = 0; t < N_THREADS; t++) {
                const worker_t *w = &workers[t];
                if (w->shared_ids[round][j] != id || w->second_ids[round][j] != id ||
                    id == CC_TRACE_NO_STACK)
                    fail_msg("round %u stack %u: thread %u got ids %u then %u, thread 0 %u",
                             round, j, t, w->shared_ids[round][j], w->second_ids[round][j], id);
            }
            remember(id, pcs, shared_stack(round, j, pcs));
            all[n++] = id;
        }
        for (uint32_t t = 0; t < N_THREADS; t++) {
            for (uint32_t p = 0; p < PRIVATE; p++) {
                uint32_t id = workers[t].private_ids[round][p];
                assert_int_not_equal(id, CC_TRACE_NO_STACK);
                remember(id, pcs, private_stack(t, round, p, pcs));
                all[n++] = id;
            }
        }
    }
    assert_int_equal(n, ALL);
    /* Different stacks, different ids. */
    qsort(all, n, sizeof *all, cmp_u32);
    for (size_t i = 1; i < n; i++)
        if (all[i] == all[i - 1])
            fail_msg("two different stacks share id %u", all[i]);
    /* Once interned, a stack keeps its id from this thread too. */
    for (uint32_t j = 0; j < SHARED; j += 37)
        assert_int_equal(cc_stack_intern(pcs, shared_stack(3, j, pcs)),
                         workers[0].shared_ids[3][j]);
    free(all);
    free(workers);
}

/* ---- single-threaded properties ----------------------------------------------- */

static void test_depth_clamp(void **state)
{
    (void)state;
    uint64_t pcs[CC_TRACE_MAX_FRAMES + 36];
    for (uint32_t i = 0; i < CC_ARRAY_SIZE(pcs); i++)
        pcs[i] = 0x600000 + 16 * i;
    uint32_t long_id = intern(pcs, CC_ARRAY_SIZE(pcs));
    assert_int_not_equal(long_id, CC_TRACE_NO_STACK);
    /* Only the innermost CC_TRACE_MAX_FRAMES count. */
    assert_int_equal(intern(pcs, CC_TRACE_MAX_FRAMES), long_id);
    assert_int_equal(intern(pcs, CC_TRACE_MAX_FRAMES + 1), long_id);
    uint32_t shorter = intern(pcs, CC_TRACE_MAX_FRAMES - 1);
    assert_int_not_equal(shorter, long_id);
    pcs[CC_TRACE_MAX_FRAMES] ^= 1; /* beyond the clamp: no difference */
    assert_int_equal(intern(pcs, CC_ARRAY_SIZE(pcs)), long_id);
    pcs[CC_TRACE_MAX_FRAMES - 1] ^= 1; /* inside it: a new stack */
    assert_int_not_equal(intern(pcs, CC_ARRAY_SIZE(pcs)), long_id);
}

static void test_empty_stack(void **state)
{
    (void)state;
    uint64_t pc = 0x401000;
    size_t before = trace_file_size(trace_path);
    assert_int_equal(cc_stack_intern(&pc, 0), CC_TRACE_NO_STACK);
    assert_int_equal(cc_stack_intern(NULL, 0), CC_TRACE_NO_STACK);
    assert_int_equal(trace_file_size(trace_path), before); /* no record for it */
}

/* A stack whose frames' stack pointers rise outwards, as on x86-64. */
static void fill_now(cc_unwound_t *now, uint32_t n)
{
    now->n = n;
    for (uint32_t i = 0; i < n; i++) {
        now->pc[i] = 0x800000 + 0x100 * i;
        now->sp[i] = 0x7ffd0000 + 0x40 * i;
    }
}

static void assert_earlier(const cc_unwound_t *now, cc_caller_t then, const uint64_t *expected,
                           uint32_t depth)
{
    uint32_t id = cc_stack_earlier(now, then);
    remember(id, expected, depth);
    assert_int_equal(id, intern(expected, depth));
}

static void test_stack_earlier(void **state)
{
    (void)state;
    cc_unwound_t now;
    fill_now(&now, 6);
    uint64_t then_pc = 0x812345;

    /* Frames above then.cfa (strictly): 3, 4 and 5. Frame 2 sits exactly at
     * the cfa: it is the frame that made the earlier call, now at another
     * pc, and then.pc stands for it. */
    cc_caller_t then = {.pc = then_pc, .cfa = now.sp[2]};
    uint64_t expected[CC_TRACE_MAX_FRAMES] = {then_pc, now.pc[3], now.pc[4], now.pc[5]};
    assert_earlier(&now, then, expected, 4);

    /* Between frames 0 and 1: 1..5 are older. */
    then.cfa = now.sp[0] + 1;
    uint64_t expected_all[] = {then_pc, now.pc[1], now.pc[2], now.pc[3], now.pc[4], now.pc[5]};
    assert_earlier(&now, then, expected_all, 6);

    /* Above every frame: then.pc alone. */
    then.cfa = now.sp[5];
    assert_earlier(&now, then, &then_pc, 1);

    /* then.pc comes first even when it equals a frame of now. */
    then = (cc_caller_t){.pc = now.pc[4], .cfa = now.sp[3]};
    uint64_t repeated[] = {now.pc[4], now.pc[4], now.pc[5]};
    assert_earlier(&now, then, repeated, 3);

    /* A full stack below: then.pc and the first 63 older frames. */
    cc_unwound_t full;
    fill_now(&full, CC_TRACE_MAX_FRAMES);
    then = (cc_caller_t){.pc = then_pc, .cfa = 0};
    expected[0] = then_pc;
    for (uint32_t i = 1; i < CC_TRACE_MAX_FRAMES; i++)
        expected[i] = full.pc[i - 1];
    assert_earlier(&full, then, expected, CC_TRACE_MAX_FRAMES);

    /* An empty now: then.pc alone. */
    full.n = 0;
    assert_earlier(&full, then, &then_pc, 1);
}

/* ---- the trace ------------------------------------------------------------------ */

/* Counts the STACK records of a trace per id, straight from the bytes. */
static uint32_t *count_stack_records(const char *path, size_t *n_records)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint32_t *count = calloc(MAX_IDS, sizeof *count);
    assert_non_null(count);
    assert_int_equal(fseek(f, sizeof(cc_trace_header_t), SEEK_SET), 0);
    uint8_t *rec = malloc(CC_TRACE_MAX_RECORD);
    assert_non_null(rec);
    *n_records = 0;
    cc_rec_header_t h;
    while (fread(&h, sizeof h, 1, f) == 1) {
        assert_true(h.size >= sizeof h && h.size <= CC_TRACE_MAX_RECORD);
        assert_int_equal(fread(rec, 1, h.size - sizeof h, f), h.size - sizeof h);
        if (h.type != CC_REC_STACK)
            continue;
        cc_rec_stack_t s;
        memcpy((uint8_t *)&s + sizeof h, rec, sizeof s - sizeof h);
        assert_true(s.id < MAX_IDS);
        count[s.id]++;
        (*n_records)++;
    }
    assert_true(feof(f));
    fclose(f);
    free(rec);
    return count;
}

static void test_one_record_per_stack(void **state)
{
    (void)state;
    size_t n_records;
    uint32_t *count = count_stack_records(trace_path, &n_records);
    if (count[CC_TRACE_NO_STACK] != 0)
        fail_msg("%u STACK records carry the reserved id 0", count[CC_TRACE_NO_STACK]);
    /* Each id handed out has exactly one record, and there are no others. */
    size_t n_known = 0, missing = 0, repeated = 0, stray = 0;
    for (uint32_t id = 1; id < MAX_IDS; id++) {
        n_known += known[id].depth != 0;
        if (known[id].depth && count[id] == 0)
            missing++;
        else if (known[id].depth && count[id] > 1)
            repeated++;
        else if (!known[id].depth && count[id])
            stray++;
    }
    if (missing || repeated || stray)
        fail_msg("of %zu stacks, %zu have no record, %zu several; %zu records name no stack",
                 n_known, missing, repeated, stray);
    assert_true(n_known >= ROUNDS * (SHARED + N_THREADS * PRIVATE));
    assert_int_equal(n_records, n_known);
    free(count);

    /* And the reader gives each one back as interned. */
    cc_trace_t t;
    load_trace_or_fail(trace_path, &t);
    assert_false(t.truncated);
    assert_int_equal(t.n_stacks, n_known);
    for (uint32_t id = 1; id <= max_id; id++) {
        if (!known[id].depth)
            continue;
        const cc_trace_stack_t *s = cc_trace_find_stack(&t, id);
        assert_non_null(s);
        assert_int_equal(s->depth, known[id].depth);
        assert_memory_equal(s->pcs, known[id].pcs, s->depth * sizeof *s->pcs);
    }
    cc_trace_free(&t);
}

/* A new trace (a fork child's) gets the records of the stacks it uses, once,
 * under their old ids. */
static void test_new_trace_writes_again(void **state)
{
    (void)state;
    uint32_t gen = cc_trace_generation();
    char *path = open_new_trace(CC_ORIGIN_FORK);
    assert_int_equal(cc_trace_generation(), gen + 1);
    assert_string_not_equal(path, trace_path);
    /* The first, a middle and the last of the ids in use. */
    uint32_t *in_use = calloc(MAX_IDS, sizeof *in_use);
    assert_non_null(in_use);
    size_t n_in_use = 0;
    for (uint32_t id = 1; id <= max_id; id++)
        if (known[id].depth)
            in_use[n_in_use++] = id;
    assert_true(n_in_use >= 3);
    uint32_t ids[] = {in_use[0], in_use[n_in_use / 2], in_use[n_in_use - 1]};
    free(in_use);
    for (int repeat = 0; repeat < 3; repeat++)
        for (size_t i = 0; i < CC_ARRAY_SIZE(ids); i++)
            assert_int_equal(intern(known[ids[i]].pcs, known[ids[i]].depth), ids[i]);
    uint64_t fresh_pcs[] = {0xabc000, 0xabc100};
    uint32_t fresh = cc_stack_intern(fresh_pcs, 2);
    assert_int_not_equal(fresh, CC_TRACE_NO_STACK);
    assert_true(fresh < MAX_IDS);
    assert_int_equal(known[fresh].depth, 0); /* a new id of the same depot */
    remember(fresh, fresh_pcs, 2);

    size_t n_records;
    uint32_t *count = count_stack_records(path, &n_records);
    assert_int_equal(n_records, CC_ARRAY_SIZE(ids) + 1);
    for (size_t i = 0; i < CC_ARRAY_SIZE(ids); i++)
        assert_int_equal(count[ids[i]], 1);
    assert_int_equal(count[fresh], 1);
    free(count);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_intern),
        cmocka_unit_test(test_depth_clamp),
        cmocka_unit_test(test_empty_stack),
        cmocka_unit_test(test_stack_earlier),
        cmocka_unit_test(test_one_record_per_stack),
        cmocka_unit_test(test_new_trace_writes_again),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
