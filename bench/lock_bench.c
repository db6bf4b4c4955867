/* lock_bench: the reference benchmark of design.md ("Performance budgets").
 *
 * T threads (default 4) each run two timed phases:
 *
 *   lock phase    N (default 2,000,000) lock/unlock pairs on a mutex private
 *                 to the thread; every 16th iteration the thread also takes a
 *                 shared mutex *nested inside* the private one, so a
 *                 lock-order checker sees a real edge private -> shared.
 *   memory phase  P (default 100) read-modify-write passes over a private
 *                 array of M MiB (default 4) per thread.
 *
 * The program prints one machine-readable line on stdout:
 *
 *   threads=4 iters=2000000 passes=100 mib=4 lock_phase_s=0.123456
 *   memory_phase_s=0.456789 check=ok
 *
 * (one line; wrapped here). With -r it adds vm_hwm_kib=N, the process's peak
 * resident set read from /proc/self/status, for machines without
 * /usr/bin/time.
 *
 * Rules that keep the numbers honest:
 *  - All threads are created and their arrays allocated and touched before
 *    the clock starts; a barrier of T+1 parties (threads and main) starts
 *    each phase together and ends it, and main reads CLOCK_MONOTONIC at the
 *    barriers. A blocking barrier, not a spin flag: with 4 threads on 2 cores
 *    a spinning waiter would steal the CPU from the threads still working.
 *  - The program checks its own results (counters under each mutex, every
 *    array element) and exits 1 on a mismatch, so the optimizer cannot drop
 *    the work and a tool that breaks the program is caught.
 *  - A compiler barrier between memory passes keeps the compiler from
 *    fusing the P passes into one.
 *
 * Exit status: 0 ok, 1 self-check failed, 2 bad usage or setup error. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LB_SHARED_EVERY = 16, LB_CACHE_LINE = 64 };

typedef struct {
    pthread_mutex_t mutex;     /* private: only this thread takes it */
    uint64_t private_count;    /* written under mutex */
    uint64_t *array;           /* private memory-phase array */
    size_t words;
    uint64_t bad_words;        /* elements that failed the final check */
    pthread_t tid;
} __attribute__((aligned(LB_CACHE_LINE))) lb_thread_t;

static pthread_mutex_t lb_shared = PTHREAD_MUTEX_INITIALIZER;
static uint64_t lb_shared_count; /* written under lb_shared */
static pthread_barrier_t lb_barrier;
static long lb_iters = 2000000;
static long lb_passes = 100;

static void lb_die(const char *what, int err)
{
    fprintf(stderr, "lock_bench: %s: %s\n", what, strerror(err));
    exit(2);
}

static void lb_wait(void)
{
    int rc = pthread_barrier_wait(&lb_barrier);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
        lb_die("pthread_barrier_wait", rc);
}

/* The value element i holds after `passes` passes of lb_memory_phase. */
static uint64_t lb_expected(size_t i, long passes)
{
    return (uint64_t)i + (uint64_t)passes * ((i & 7) + 1);
}

static void lb_lock_phase(lb_thread_t *t)
{
    for (long i = 0; i < lb_iters; i++) {
        pthread_mutex_lock(&t->mutex);
        t->private_count++;
        if (i % LB_SHARED_EVERY == 0) {
            /* Nested: private -> shared is the lock-order edge. */
            pthread_mutex_lock(&lb_shared);
            lb_shared_count++;
            pthread_mutex_unlock(&lb_shared);
        }
        pthread_mutex_unlock(&t->mutex);
    }
}

static void lb_memory_phase(lb_thread_t *t)
{
    uint64_t *a = t->array;
    for (long p = 0; p < lb_passes; p++) {
        for (size_t i = 0; i < t->words; i++)
            a[i] += (i & 7) + 1;
        __asm__ volatile("" ::: "memory"); /* one pass really is one pass */
    }
}

static void *lb_thread_main(void *arg)
{
    lb_thread_t *t = arg;

    /* Untimed setup: fault every page in so the memory phase measures
     * memory traffic, not page faults. */
    for (size_t i = 0; i < t->words; i++)
        t->array[i] = i;

    lb_wait(); /* 1: start of the lock phase */
    lb_lock_phase(t);
    lb_wait(); /* 2: end of the lock phase, start of the memory phase */
    lb_memory_phase(t);
    lb_wait(); /* 3: end of the memory phase */

    for (size_t i = 0; i < t->words; i++)
        if (t->array[i] != lb_expected(i, lb_passes))
            t->bad_words++;
    return NULL;
}

static double lb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set in KiB from /proc/self/status (VmHWM), or -1. */
static long lb_vm_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static long lb_parse(const char *opt, const char *s, long min)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min) {
        fprintf(stderr, "lock_bench: -%s wants an integer >= %ld, got '%s'\n",
                opt, min, s);
        exit(2);
    }
    return v;
}

static void lb_usage(FILE *f)
{
    fprintf(f,
            "usage: lock_bench [-t THREADS] [-n ITERS] [-p PASSES] [-m MIB] [-r]\n"
            "  -t  threads (default 4)\n"
            "  -n  lock/unlock pairs per thread (default 2000000)\n"
            "  -p  memory passes per thread (default 100)\n"
            "  -m  MiB of private array per thread (default 4)\n"
            "  -r  also print vm_hwm_kib (peak RSS from /proc/self/status)\n");
}

int main(int argc, char **argv)
{
    long threads = 4, mib = 4;
    int report_rss = 0, opt, rc;
    double t0, t1, t2;
    uint64_t bad = 0;
    lb_thread_t *ts;

    while ((opt = getopt(argc, argv, "t:n:p:m:rh")) != -1) {
        switch (opt) {
        case 't': threads = lb_parse("t", optarg, 1); break;
        case 'n': lb_iters = lb_parse("n", optarg, 0); break;
        case 'p': lb_passes = lb_parse("p", optarg, 0); break;
        case 'm': mib = lb_parse("m", optarg, 1); break;
        case 'r': report_rss = 1; break;
        case 'h': lb_usage(stdout); return 0;
        default: lb_usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        lb_usage(stderr);
        return 2;
    }

    ts = aligned_alloc(LB_CACHE_LINE, (size_t)threads * sizeof *ts);
    if (!ts)
        lb_die("aligned_alloc", ENOMEM);
    memset(ts, 0, (size_t)threads * sizeof *ts);
    if ((rc = pthread_barrier_init(&lb_barrier, NULL, (unsigned)threads + 1)))
        lb_die("pthread_barrier_init", rc);

    for (long i = 0; i < threads; i++) {
        lb_thread_t *t = &ts[i];
        t->words = (size_t)mib * 1024 * 1024 / sizeof(uint64_t);
        t->array = aligned_alloc(4096, t->words * sizeof(uint64_t));
        if (!t->array)
            lb_die("aligned_alloc", ENOMEM);
        if ((rc = pthread_mutex_init(&t->mutex, NULL)))
            lb_die("pthread_mutex_init", rc);
        if ((rc = pthread_create(&t->tid, NULL, lb_thread_main, t)))
            lb_die("pthread_create", rc);
    }

    lb_wait();
    t0 = lb_now();
    lb_wait();
    t1 = lb_now();
    lb_wait();
    t2 = lb_now();

    for (long i = 0; i < threads; i++) {
        lb_thread_t *t = &ts[i];
        if ((rc = pthread_join(t->tid, NULL)))
            lb_die("pthread_join", rc);
        if (t->private_count != (uint64_t)lb_iters) {
            fprintf(stderr, "lock_bench: thread %ld: private count %" PRIu64
                            ", expected %ld\n", i, t->private_count, lb_iters);
            bad++;
        }
        if (t->bad_words) {
            fprintf(stderr, "lock_bench: thread %ld: %" PRIu64
                            " array elements wrong\n", i, t->bad_words);
            bad++;
        }
    }
    uint64_t want_shared = (uint64_t)threads *
        (uint64_t)((lb_iters + LB_SHARED_EVERY - 1) / LB_SHARED_EVERY);
    if (lb_shared_count != want_shared) {
        fprintf(stderr, "lock_bench: shared count %" PRIu64 ", expected %"
                        PRIu64 "\n", lb_shared_count, want_shared);
        bad++;
    }

    printf("threads=%ld iters=%ld passes=%ld mib=%ld lock_phase_s=%.6f "
           "memory_phase_s=%.6f check=%s",
           threads, lb_iters, lb_passes, mib, t1 - t0, t2 - t1,
           bad ? "FAILED" : "ok");
    if (report_rss)
        printf(" vm_hwm_kib=%ld", lb_vm_hwm_kib());
    printf("\n");
    fflush(stdout);

    for (long i = 0; i < threads; i++) {
        pthread_mutex_destroy(&ts[i].mutex);
        free(ts[i].array);
    }
    pthread_barrier_destroy(&lb_barrier);
    free(ts);
    return bad ? 1 : 0;
}
