/* Checking what `ccheck run` produced against a testcase's expectations:
 * its exit status and its JSON report.
 *
 * Every finding must match some expectation (same kind, a frame in any of
 * its stacks whose file's basename is <name>.c and whose line is the
 * expectation's); one that does not is "extra". Every expectation must be
 * matched by some finding, or it is "missing". Either fails the case, as
 * does a wrong exit status or a missing or unparseable report. A case with
 * a missing or extra finding also gets the whole comparison as a reason:
 * "expected KIND at line L, ...; got KIND at lines L,L, ...". */
#ifndef CC_TESTCASE_RUNNER_REPORT_H
#define CC_TESTCASE_RUNNER_REPORT_H

#include "expectations.h"
#include "util.h"

/* Adds a reason to reasons for each way the outcome differs from tc: the
 * exit status (not checked when exit_status is -1), then each missing
 * expectation and each extra finding of the JSON report at report_path,
 * or why that report cannot be read. The case passed if none was added. */
void tc_check_outcome(const tc_case_t *tc, int exit_status, const char *report_path,
                      tc_buf_t *reasons);

#endif
