/* Files and traces for the unit tests that drive the runtime by hand.
 *
 * No constructor runs in a unit test (runtime/init.c is left out of the
 * runtime core), so a test that writes a trace sets up what init.c would:
 * the lock table, the stack depot, a directory for the trace. These helpers
 * do that the same way in every test.
 *
 * Rules:
 *  - Include after <cmocka.h>: the helpers fail the running test through
 *    cmocka's asserts, so a test calls them without checking results.
 *  - One trace directory per process: make_trace_dir in the group setup,
 *    remove_trace_dir in the group teardown. */
#ifndef CC_TEST_TRACE_FILES_H
#define CC_TEST_TRACE_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "ccheck/trace_format.h"
#include "thread.h"
#include "trace_reader.h"

/* ---- whole files ----------------------------------------------------------- */

/* The file's bytes in a malloc'd buffer (one spare byte at the end, so a
 * caller may NUL-terminate text) and their count in *len. */
uint8_t *read_whole_file(const char *path, size_t *len);
/* Creates or truncates path and writes len bytes of buf. */
void write_whole_file(const char *path, const void *buf, size_t len);
/* The size of the file at path. The runtime writes each record with one
 * write(2) and buffers nothing, so a trace that did not grow was not
 * written to. */
size_t trace_file_size(const char *path);

/* ---- the trace directory --------------------------------------------------- */

/* Creates a fresh directory $P_tmpdir/ccheck-test-<name>.XXXXXX and points
 * CCHECK_DIR at it, so the runtime writes its traces there and tests run in
 * parallel never share a file. Returns its path, or NULL (the setup then
 * returns -1). */
const char *make_trace_dir(const char *name);
/* The path of `name` inside the trace directory, in a static buffer that the
 * next call overwrites. */
const char *trace_dir_file(const char *name);
/* Removes every file of the trace directory and then the directory. */
void remove_trace_dir(void);

/* The path of this test program, as the runtime writes it in the process
 * record and the module map; NULL if /proc cannot say. */
const char *own_exe_path(void);

/* ---- the runtime, by hand ---------------------------------------------------- */

/* What the constructor would set up before a trace can be written: the lock
 * table and the stack depot; and verbosity 0, so that cc_trace_end prints no
 * "trace written" line into the test's output. */
void start_runtime_by_hand(void);

/* The whole fixture of a test that drives the runtime as a traced program
 * would: a trace directory named after `name`, the runtime started, a trace
 * open and the calling thread registered as T0, whose state it returns
 * (NULL on failure). stop_traced_runtime undoes it. For group setup and
 * teardown. */
struct cc_thread *start_traced_runtime(const char *name);
void stop_traced_runtime(void);
/* stop_traced_runtime as a cmocka group teardown. */
int traced_runtime_teardown(void **state);

/* Makes t the current thread, with an empty held stack and edge set, and
 * switches the runtime on: cc_enter (on the slow path) refuses to act
 * otherwise. For tests that drive made-up threads through the runtime one
 * after the other. */
void run_as(struct cc_thread *t);
/* Switches the runtime off again; t must have left the runtime. */
void stop_running_as(struct cc_thread *t);

/* Opens a new trace through the runtime (as at start, or in a fork child)
 * and returns a malloc'd copy of its path: cc_trace_path() names only the
 * newest trace. */
char *open_new_trace(cc_process_origin_t origin);

/* Writes a record as thread t would: cc_trace_write stamps each record with
 * cc_current_thread's id, so t is made current for the call only. */
void write_record_as(cc_thread_t *t, cc_rec_type_t type, cc_rec_header_t *rec, uint32_t size);

/* Writes a CC_REC_RACE record as thread t: race's fixed part, then held[],
 * race->current.n_held + race->previous.n_held lock ids (the current
 * access's first), at most 64 of them. */
void write_race_record_as(cc_thread_t *t, const cc_rec_race_t *race, const uint64_t *held);

/* ---- reading traces back ---------------------------------------------------- */

/* Loads the trace at path; a trace that does not load fails the test with
 * the reader's message. */
void load_trace_or_fail(const char *path, cc_trace_t *t);

/* Where a record starts in a trace file, its size and type. */
typedef struct rec_pos {
    size_t offset;
    uint32_t size;
    uint16_t type;
} rec_pos_t;

/* The records from the start of buf, as far as their headers are sane (size
 * at least a header, a multiple of 8, inside the buffer) and at most max of
 * them. *end is where the walk stopped: len for a trace of whole, sane
 * records. */
size_t walk_records(const uint8_t *buf, size_t len, rec_pos_t *out, size_t max, size_t *end);

#endif
