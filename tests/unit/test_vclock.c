/* Unit tests of happens-before's pieces: vector clocks (runtime/race/
 * vclock.c: set, join, assign, growth, recycled storage), the sync-object
 * table (runtime/race/sync.c: find, create, forget_range, reuse of dropped
 * nodes, and lookups from several threads while other objects come and go)
 * and thread slots and clocks (runtime/race/hb.c: create, release and
 * acquire, an rwlock's read and write unlocks, exit and join, reuse of a
 * slot).
 *
 * No constructor runs in a unit test: threads are hand-made cc_thread_t
 * the runtime sees as the current one only where a hook needs it, and
 * objects are addresses in static buffers (the table never dereferences
 * them). */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "lock_hot_path.h"
#include "race/race.h"
#include "race/sync.h"
#include "support/trace_files.h"
#include "thread.h"

/* ---- vector clocks ------------------------------------------------------------ */

static void test_vclock_set_grows_and_zero_fills(void **state)
{
    (void)state;
    cc_vclock_t v = {0};
    assert_int_equal(cc_vclock_get(&v, 3), 0);
    cc_vclock_set(&v, 2, 7);
    assert_int_equal(v.n, 3);
    assert_true(v.cap >= 3 && (v.cap & (v.cap - 1)) == 0);
    cc_vclock_set(&v, 100, 9); /* grows by copy */
    assert_int_equal(v.n, 101);
    assert_int_equal(v.cap, 128);
    assert_int_equal(cc_vclock_get(&v, 2), 7);
    assert_int_equal(cc_vclock_get(&v, 100), 9);
    for (uint32_t i = 0; i < 100; i++)
        if (i != 2)
            assert_int_equal(cc_vclock_get(&v, i), 0);
    assert_int_equal(cc_vclock_get(&v, 5000), 0);
    cc_vclock_free(&v);
    assert_null(v.c);
    assert_int_equal(v.n, 0);
    assert_int_equal(v.cap, 0);
}

static void test_vclock_join_takes_the_maximum(void **state)
{
    (void)state;
    cc_vclock_t a = {0}, b = {0};
    cc_vclock_set(&a, 0, 5);
    cc_vclock_set(&a, 1, 1);
    cc_vclock_set(&b, 0, 3);
    cc_vclock_set(&b, 1, 4);
    cc_vclock_set(&b, 20, 6); /* beyond a: a grows */
    cc_vclock_join(&a, &b);
    assert_int_equal(a.n, 21);
    assert_int_equal(cc_vclock_get(&a, 0), 5);
    assert_int_equal(cc_vclock_get(&a, 1), 4);
    assert_int_equal(cc_vclock_get(&a, 20), 6);
    for (uint32_t i = 2; i < 20; i++)
        assert_int_equal(cc_vclock_get(&a, i), 0);
    /* A shorter source leaves the rest alone. */
    cc_vclock_t c = {0};
    cc_vclock_set(&c, 0, 9);
    cc_vclock_join(&a, &c);
    assert_int_equal(a.n, 21);
    assert_int_equal(cc_vclock_get(&a, 0), 9);
    assert_int_equal(cc_vclock_get(&a, 20), 6);
    /* Joining an empty clock changes nothing. */
    cc_vclock_t empty = {0};
    cc_vclock_join(&a, &empty);
    assert_int_equal(a.n, 21);
    cc_vclock_join(&empty, &a);
    assert_int_equal(empty.n, 21);
    assert_int_equal(cc_vclock_get(&empty, 1), 4);
    cc_vclock_free(&a);
    cc_vclock_free(&b);
    cc_vclock_free(&c);
    cc_vclock_free(&empty);
}

static void test_vclock_assign_copies_and_shrinks(void **state)
{
    (void)state;
    cc_vclock_t a = {0}, b = {0};
    cc_vclock_set(&a, 40, 8);
    cc_vclock_set(&b, 1, 2);
    cc_vclock_assign(&a, &b);
    assert_int_equal(a.n, 2);
    assert_int_equal(cc_vclock_get(&a, 1), 2);
    assert_int_equal(cc_vclock_get(&a, 40), 0); /* past n: gone */
    cc_vclock_set(&b, 300, 1);
    cc_vclock_assign(&a, &b);
    assert_int_equal(a.n, 301);
    assert_int_equal(a.cap, 512);
    assert_int_equal(cc_vclock_get(&a, 300), 1);
    assert_int_equal(cc_vclock_get(&a, 299), 0);
    cc_vclock_free(&a);
    cc_vclock_free(&b);
}

/* Freed storage is handed out again, and what it held never shows. */
static void test_vclock_recycled_storage_starts_clean(void **state)
{
    (void)state;
    cc_vclock_t a = {0};
    cc_vclock_set(&a, 1000, 1);
    for (uint32_t i = 0; i < 1000; i++)
        a.c[i] = 0xdead;
    uint64_t *storage = a.c;
    cc_vclock_free(&a);
    cc_vclock_t b = {0};
    cc_vclock_set(&b, 999, 3);
    assert_ptr_equal(b.c, storage);
    for (uint32_t i = 0; i < 999; i++)
        assert_int_equal(cc_vclock_get(&b, i), 0);
    cc_vclock_t c = {0};
    cc_vclock_join(&c, &b);
    cc_vclock_free(&b);
    cc_vclock_t d = {0};
    cc_vclock_set(&d, 600, 0); /* same class as b's: b's storage again */
    assert_ptr_equal(d.c, storage);
    cc_vclock_join(&d, &c); /* d is shorter than c: the rest copied */
    assert_int_equal(d.n, 1000);
    assert_int_equal(cc_vclock_get(&d, 999), 3);
    assert_int_equal(cc_vclock_get(&d, 700), 0);
    cc_vclock_free(&c);
    cc_vclock_free(&d);
}

/* ---- the sync table -------------------------------------------------------------- */

static uint64_t addr_of(const void *p, size_t offset) { return (uint64_t)(uintptr_t)p + offset; }

static void test_sync_find_create_forget(void **state)
{
    (void)state;
    static char objects[256];
    uint64_t a = addr_of(objects, 8), b = addr_of(objects, 16), c = addr_of(objects, 24);
    assert_null(cc_sync_find_locked(a));
    cc_sync_t *s = cc_sync_get_locked(a);
    assert_non_null(s);
    assert_int_equal(s->addr, a);
    cc_vclock_set(&s->clock[CC_SYNC_MAIN], 3, 11);
    cc_sync_unlock(s);
    assert_ptr_equal(cc_sync_get_locked(a), s); /* the same object */
    cc_sync_unlock(s);
    cc_sync_t *found = cc_sync_find_locked(a);
    assert_ptr_equal(found, s);
    assert_int_equal(cc_vclock_get(&found->clock[CC_SYNC_MAIN], 3), 11);
    cc_sync_unlock(found);
    cc_sync_unlock(cc_sync_get_locked(b));
    cc_sync_unlock(cc_sync_get_locked(c));

    /* [a, c): a and b go, c stays. */
    cc_race_sync_forget_range(a, c);
    assert_null(cc_sync_find_locked(a));
    assert_null(cc_sync_find_locked(b));
    cc_sync_t *kept = cc_sync_find_locked(c);
    assert_non_null(kept);
    cc_sync_unlock(kept);
    /* Made again, it starts with no clock. */
    s = cc_sync_get_locked(a);
    assert_int_equal(s->clock[CC_SYNC_MAIN].n, 0);
    assert_int_equal(s->clock[CC_SYNC_READ].n, 0);
    cc_sync_unlock(s);
    /* An empty range drops nothing. */
    cc_race_sync_forget_range(a, a);
    s = cc_sync_find_locked(a);
    assert_non_null(s);
    cc_sync_unlock(s);
    cc_race_sync_forget_range(addr_of(objects, 0), addr_of(objects, sizeof objects));
    assert_null(cc_sync_find_locked(a));
    assert_null(cc_sync_find_locked(c));
}

/* Objects made and dropped over and over, each time at new addresses: the
 * number of nodes stays near the most ever live at once. */
static void test_sync_memory_is_bounded(void **state)
{
    (void)state;
    enum { N = 100000, ROUNDS = 20 };
    static uint64_t region[N * ROUNDS];
    uint64_t live, before, after;
    cc_sync_count(&live, &before);
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t base = addr_of(region, (size_t)r * N * sizeof region[0]);
        for (uint64_t i = 0; i < N; i++) {
            cc_sync_t *s = cc_sync_get_locked(base + i * 8);
            cc_vclock_set(&s->clock[CC_SYNC_MAIN], (uint32_t)(i % 16), i);
            cc_sync_unlock(s);
        }
        cc_race_sync_forget_range(base, base + N * 8);
    }
    cc_sync_count(&live, &after);
    /* Per stripe (sync.c), the most live in one round: about 1.4 N here,
     * against the N * ROUNDS objects made. */
    assert_true(after - before < 2 * N);
    assert_true(after - before >= N);
    for (uint64_t i = 0; i < N; i += 97)
        assert_null(cc_sync_find_locked(addr_of(region, i * 8)));
}

/* A range larger than the page index visits every page chain once. */
static void test_sync_forget_huge_range(void **state)
{
    (void)state;
    static char objects[64];
    uint64_t a = addr_of(objects, 0);
    cc_sync_unlock(cc_sync_get_locked(a));
    cc_sync_unlock(cc_sync_get_locked(a + 32));
    cc_race_sync_forget_range(a - (UINT64_C(1) << 40) < a ? a - (UINT64_C(1) << 40) : 0, a + 32);
    assert_null(cc_sync_find_locked(a));
    cc_sync_t *s = cc_sync_find_locked(a + 32);
    assert_non_null(s);
    cc_sync_unlock(s);
    cc_race_sync_forget_range(a + 32, a + 33);
}

/* Several threads look up and update objects that stay, while another
 * makes and drops objects that share their chains: a lookup never misses
 * a live object, and no update is lost. */
enum { WORKERS = 4, SHARED = 512, ITERS = 4000, CHURN = 8192 };
static uint64_t shared_objects[SHARED];
static uint64_t churn_objects[CHURN];
static int churn_stop;

static void *worker(void *arg)
{
    uint32_t me = (uint32_t)(uintptr_t)arg;
    for (uint64_t it = 1; it <= ITERS; it++) {
        for (uint32_t k = me; k < SHARED; k += 3) {
            cc_sync_t *s = cc_sync_find_locked(addr_of(shared_objects, k * 8));
            if (!s)
                return (void *)1;
            uint64_t seen = cc_vclock_get(&s->clock[CC_SYNC_MAIN], me);
            if (seen != it - 1) {
                cc_sync_unlock(s);
                return (void *)2;
            }
            cc_vclock_set(&s->clock[CC_SYNC_MAIN], me, it);
            cc_sync_unlock(s);
        }
    }
    return NULL;
}

static void *churner(void *arg)
{
    (void)arg;
    uint64_t base = addr_of(churn_objects, 0);
    while (!__atomic_load_n(&churn_stop, __ATOMIC_RELAXED)) {
        for (uint64_t i = 0; i < CHURN; i++) {
            cc_sync_t *s = cc_sync_get_locked(base + i * 8);
            cc_vclock_set(&s->clock[CC_SYNC_READ], 1, 1);
            cc_sync_unlock(s);
        }
        cc_race_sync_forget_range(base, base + CHURN * 8);
    }
    return NULL;
}

static void test_sync_concurrent_lookups(void **state)
{
    (void)state;
    for (uint32_t k = 0; k < SHARED; k++)
        cc_sync_unlock(cc_sync_get_locked(addr_of(shared_objects, k * 8)));
    pthread_t churn, workers[WORKERS];
    assert_int_equal(pthread_create(&churn, NULL, churner, NULL), 0);
    for (uintptr_t i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < WORKERS; i++) {
        void *result;
        assert_int_equal(pthread_join(workers[i], &result), 0);
        assert_null(result);
    }
    __atomic_store_n(&churn_stop, 1, __ATOMIC_RELAXED);
    assert_int_equal(pthread_join(churn, NULL), 0);
    for (uint32_t k = 0; k < SHARED; k++) {
        cc_sync_t *s = cc_sync_find_locked(addr_of(shared_objects, k * 8));
        assert_non_null(s);
        for (uint32_t w = 0; w < WORKERS; w++)
            assert_int_equal(cc_vclock_get(&s->clock[CC_SYNC_MAIN], w),
                             k % 3 == w % 3 && k >= w ? ITERS : 0);
        cc_sync_unlock(s);
    }
    cc_race_sync_forget_range(addr_of(shared_objects, 0), addr_of(shared_objects, sizeof shared_objects));
}

/* The same, with the objects that come and go in the very chains of the
 * ones looked up, in front of them (a new object goes to the head), and
 * their nodes reused at once in other chains of the stripe: a reader
 * standing on such a node walks on into another chain, and must notice. */
enum { TARGETS = 8, COLLIDERS = 4, MATES = 16, LOOKUPS = 400000 };
static uint64_t targets[TARGETS];
static uint64_t colliders[TARGETS][COLLIDERS]; /* same bucket as the target */
static uint64_t mates[TARGETS][MATES];         /* same stripe, other buckets */
static int collide_stop;

/* Made-up addresses (the table never dereferences them) that land where
 * wanted; `next` is where the search goes on. */
static uint64_t address_where(uint64_t *next, uint32_t bucket, bool same_bucket)
{
    for (;; *next += 8) {
        uint32_t b = cc_sync_bucket(*next);
        if (same_bucket ? b == bucket
                        : b != bucket && (b & (CC_SYNC_STRIPES - 1)) == (bucket & (CC_SYNC_STRIPES - 1))) {
            *next += 8;
            return *next - 8;
        }
    }
}

static void *collide_churner(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&collide_stop, __ATOMIC_RELAXED)) {
        for (int t = 0; t < TARGETS; t++) {
            for (int c = 0; c < COLLIDERS; c++)
                cc_sync_unlock(cc_sync_get_locked(colliders[t][c]));
            for (int c = 0; c < COLLIDERS; c++)
                cc_race_sync_forget_range(colliders[t][c], colliders[t][c] + 1);
            for (int m = 0; m < MATES; m++)
                cc_sync_unlock(cc_sync_get_locked(mates[t][m]));
            for (int m = 0; m < MATES; m++)
                cc_race_sync_forget_range(mates[t][m], mates[t][m] + 1);
        }
    }
    return NULL;
}

static void *collide_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < LOOKUPS; i++) {
        cc_sync_t *s = cc_sync_find_locked(targets[i % TARGETS]);
        if (!s)
            return (void *)1;
        cc_sync_unlock(s);
    }
    return NULL;
}

static void test_sync_lookups_across_moving_nodes(void **state)
{
    (void)state;
    uint64_t next = UINT64_C(0x500000000000);
    for (int t = 0; t < TARGETS; t++) {
        targets[t] = next;
        next += 8;
        uint32_t b = cc_sync_bucket(targets[t]);
        for (int c = 0; c < COLLIDERS; c++)
            colliders[t][c] = address_where(&next, b, true);
        for (int m = 0; m < MATES; m++)
            mates[t][m] = address_where(&next, b, false);
        cc_sync_unlock(cc_sync_get_locked(targets[t]));
    }
    pthread_t churn, readers[3];
    assert_int_equal(pthread_create(&churn, NULL, collide_churner, NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, collide_reader, NULL), 0);
    for (int i = 0; i < 3; i++) {
        void *result;
        assert_int_equal(pthread_join(readers[i], &result), 0);
        assert_null(result);
    }
    __atomic_store_n(&collide_stop, 1, __ATOMIC_RELAXED);
    assert_int_equal(pthread_join(churn, NULL), 0);
    for (int t = 0; t < TARGETS; t++)
        cc_race_sync_forget_range(targets[t], targets[t] + 1);
}

/* ---- threads, release and acquire ------------------------------------------------- */

static uint64_t knows(const cc_thread_t *t, const cc_thread_t *of)
{
    return cc_vclock_get(&t->race.clock, of->race.slot);
}

static void test_hb_create_release_acquire_join(void **state)
{
    (void)state;
    static cc_thread_t parent = {.tid = 1}, child = {.tid = 2}, next = {.tid = 3};
    static char object[8];
    uint64_t x = addr_of(object, 0);
    assert_true(cc_race_thread_ensure(&parent));
    assert_true(parent.race.active);
    assert_int_equal(knows(&parent, &parent), parent.race.epoch);
    uint64_t local = (uint64_t)(uintptr_t)&x; /* on this thread's stack */
    assert_true(parent.race.stack_lo <= local && local < parent.race.stack_hi);
    assert_non_null(parent.race.history);

    parent.race.epoch += 5; /* some events */
    uint64_t at_create = parent.race.epoch;
    cc_race_thread_created(&parent, &child);
    assert_true(child.race.active);
    assert_int_not_equal(child.race.slot, parent.race.slot);
    assert_int_equal(knows(&child, &parent), at_create);
    assert_int_equal(knows(&child, &child), child.race.epoch);
    assert_true(parent.race.epoch > at_create);
    assert_true(knows(&parent, &child) < child.race.epoch);

    /* The child releases on x; the parent, acquiring, knows the child's
     * events up to then, and nothing after. */
    child.race.epoch += 3;
    uint64_t at_release = child.race.epoch;
    cc_race_release(&child, x, CC_SYNC_MAIN);
    assert_true(child.race.epoch > at_release);
    child.race.epoch += 3;
    cc_race_acquire(&parent, x, CC_SYNC_READ); /* the other clock: nothing */
    assert_true(knows(&parent, &child) < at_release);
    cc_race_acquire(&parent, x, CC_SYNC_MAIN);
    assert_int_equal(knows(&parent, &child), at_release);
    assert_true(knows(&parent, &parent) <= parent.race.epoch);

    /* Exit and join: everything the child did is before the join. */
    child.race.epoch += 2;
    uint64_t last = child.race.epoch;
    cc_race_thread_exiting(&child);
    cc_race_thread_joined(&parent, &child);
    assert_true(knows(&parent, &child) >= last);
    uint32_t slot = child.race.slot;
    cc_race_thread_reaped(&child);
    assert_false(child.race.active);
    assert_null(child.race.clock.c);

    /* The slot goes to the next thread, continuing above the child's
     * clock; its tid is known per epoch. */
    cc_race_thread_created(&parent, &next);
    assert_int_equal(next.race.slot, slot);
    assert_true(next.race.epoch > last);
    assert_int_equal(cc_race_slot_tid(slot, next.race.epoch), next.tid);
    assert_int_equal(cc_race_slot_tid(slot, last), child.tid);
    assert_int_equal(cc_race_slot_tid(slot, 0), CC_TRACE_NO_THREAD);
    assert_ptr_equal(next.race.history, cc_race_slot_history(slot));
    /* The parent's knowledge of the slot is the child's, not next's. */
    assert_true(knows(&parent, &next) < next.race.epoch);
    cc_race_thread_exiting(&next);
    cc_race_thread_joined(&parent, &next);
    cc_race_thread_reaped(&next);
    cc_race_sync_forget_range(x, x + 1);
}

/* t takes the rwlock at l, as pthread_rwlock_rdlock (`writer` false) or
 * wrlock report it, and stays the current thread (rwlock_unlock undoes). */
static void rwlock_lock(cc_thread_t *t, void *l, bool writer, cc_caller_t at)
{
    run_as(t);
    cc_on_acquired(l, CC_LOCK_RWLOCK, writer ? 0 : CC_ACQUIRE_READ, at);
    cc_race_hook_acquire(l, CC_RACE_HOOK_LOCK | (writer ? CC_RACE_HOOK_WRITER : 0), at.pc);
}

static void rwlock_unlock(cc_thread_t *t, void *l, cc_caller_t at)
{
    cc_race_hook_release(l, CC_RACE_HOOK_LOCK | CC_RACE_HOOK_RWLOCK, at.pc);
    cc_on_unlocking(l, at);
    stop_running_as(t);
}

/* Read unlocks release the read clock (readers are not ordered with each
 * other); a write lock acquires it too, so a writer is after every reader;
 * a write unlock releases the main clock, which everyone acquires. */
static void test_hb_rwlock_read_and_write(void **state)
{
    (void)state;
    static cc_thread_t r1 = {.tid = 11}, r2 = {.tid = 12}, w = {.tid = 13};
    static char rwlock[56];
    void *l = rwlock;
    cc_caller_t at = CC_CALLER();

    rwlock_lock(&r1, l, false, at);
    r1.race.epoch += 4;
    uint64_t r1_at = r1.race.epoch;
    rwlock_unlock(&r1, l, at);

    rwlock_lock(&r2, l, false, at);
    assert_true(knows(&r2, &r1) < r1_at); /* readers stay unordered */
    rwlock_unlock(&r2, l, at);

    rwlock_lock(&w, l, true, at);
    assert_true(knows(&w, &r1) >= r1_at);
    assert_true(knows(&w, &r2) > 0);
    w.race.epoch += 2;
    uint64_t w_at = w.race.epoch;
    rwlock_unlock(&w, l, at);

    rwlock_lock(&r1, l, false, at);
    assert_int_equal(knows(&r1, &w), w_at); /* after the writer */
    rwlock_unlock(&r1, l, at);
    cc_race_sync_forget_range(addr_of(rwlock, 0), addr_of(rwlock, sizeof rwlock));
}

static int setup(void **state)
{
    (void)state;
    start_runtime_by_hand(); /* the lock table, for the rwlock's held stack */
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vclock_set_grows_and_zero_fills),
        cmocka_unit_test(test_vclock_join_takes_the_maximum),
        cmocka_unit_test(test_vclock_assign_copies_and_shrinks),
        cmocka_unit_test(test_vclock_recycled_storage_starts_clean),
        cmocka_unit_test(test_sync_find_create_forget),
        cmocka_unit_test(test_sync_memory_is_bounded),
        cmocka_unit_test(test_sync_forget_huge_range),
        cmocka_unit_test(test_sync_concurrent_lookups),
        cmocka_unit_test(test_sync_lookups_across_moving_nodes),
        cmocka_unit_test(test_hb_create_release_acquire_join),
        cmocka_unit_test(test_hb_rwlock_read_and_write),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
