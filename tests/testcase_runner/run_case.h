/* Running one testcase under `ccheck run`:
 *
 *   CCHECK run --format json --output WORKDIR/report.json -- BINDIR/<name> ARGS
 *
 * without a shell, in its own process group and its own directory
 * TMPDIR/<name> (its output in WORKDIR/output.log), killed with that group
 * after the timeout. What it printed goes to stderr when the case fails.
 *
 * Use: tc_run_begin once, tc_run_case for each case, tc_run_end once. */
#ifndef CC_TESTCASE_RUNNER_RUN_CASE_H
#define CC_TESTCASE_RUNNER_RUN_CASE_H

#include <stdbool.h>

#include "expectations.h"
#include "util.h"

typedef struct tc_run {
    const char *ccheck; /* absolute */
    const char *bindir; /* absolute */
    unsigned timeout;   /* seconds */
} tc_run_t;

/* Creates the temporary directory the cases run in, $TMPDIR/run_testcases.*
 * (or /tmp/...), and blocks SIGCHLD for the wait loop. Returns the
 * directory's absolute path, malloc'd; exits with status 2 on failure. */
char *tc_run_begin(void);

typedef enum tc_outcome { TC_PASSED, TC_FAILED, TC_SKIPPED } tc_outcome_t;

/* Runs one case in tmpdir/<name>. On failure, adds the reasons and shows
 * ccheck's output on stderr; a skipped case (tc_case_skipped) is not
 * checked further. */
tc_outcome_t tc_run_case(const tc_run_t *run, const tc_case_t *tc, const char *tmpdir,
                         tc_buf_t *reasons);

/* Removes tmpdir, or with keep says on stderr where it is. */
void tc_run_end(const char *tmpdir, bool keep);

#endif
