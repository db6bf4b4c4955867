/* Threads that run one after the other, for the unit tests that drive
 * race detection by hand (test_shadow.c, test_race_fd.c). The runtime sees
 * no synchronisation between them but what a test makes itself (a release
 * and an acquire), so their accesses are concurrent for the detector.
 *
 * Include after <cmocka.h>: run() fails the running test through cmocka's
 * asserts. */
#ifndef CC_TEST_RACE_JOBS_H
#define CC_TEST_RACE_JOBS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct job {
    void (*fn)(struct job *j);
    void *arg;
    uint32_t tid, slot;
    bool active;
    uint64_t pc[4]; /* what fn reports back (no cmocka asserts off the main thread) */
    bool ok;
} job_t;

/* A traced runtime (trace_files.h) with race detection on, for a
 * cmocka group setup: the main thread's state, or NULL if it has no
 * slot. */
struct cc_thread *start_race_runtime(const char *name);

/* Runs fn on a new thread, registered with a slot of its own, to its end.
 * The join is not seen by the detector: nothing orders the thread's
 * accesses with anyone else's. */
void run(job_t *j, void (*fn)(job_t *j), void *arg);
/* run()'s thread routine (its argument a job_t), for a test that makes
 * the thread itself. */
void *job_main(void *job);

#endif
