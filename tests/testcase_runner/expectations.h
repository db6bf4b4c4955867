/* A testcase's expectations, read from the comments of its own source
 * testcases/<name>.c. Directives, each anywhere on a line:
 *
 *   ccheck-expect: KIND[,KIND...]  on a line L: at least one finding of each
 *       KIND with a frame, in any of its stacks, whose file's basename is
 *       <name>.c and whose line is L.
 *   ccheck-expect-exit: N    the exit status of `ccheck run` (default: 66 if
 *       the file has any ccheck-expect, else 0).
 *   ccheck-options: K=V:K=V  exported as CCHECK_OPTIONS for this case.
 *   ccheck-args: A B C       arguments for the program (split on blanks).
 *   ccheck-may-skip: WHY     the program may find that it cannot run here
 *       (a privilege it lacks, say) and then exits with TC_EXIT_SKIP before
 *       doing anything: the case is skipped, not passed and not failed,
 *       and WHY says what it needs.
 *
 * A value ends at the end of the line or at a closing comment. */
#ifndef CC_TESTCASE_RUNNER_EXPECTATIONS_H
#define CC_TESTCASE_RUNNER_EXPECTATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The exit status of a testcase program that cannot run here (automake's
 * and ctest's convention). `ccheck run` passes it on when there are no
 * findings. */
#define TC_EXIT_SKIP 77

/* One ccheck-expect KIND on source line `line`. */
typedef struct tc_expect {
    char *kind;
    long line;
} tc_expect_t;

/* One testcase. Start it as {.name = malloc'd name, .expect_exit = -1}. */
typedef struct tc_case {
    char *name;
    tc_expect_t *expects;
    size_t n_expects, cap_expects;
    int expect_exit; /* -1: the default */
    char *options;   /* CCHECK_OPTIONS, NULL if not given */
    char **args;
    size_t n_args;
    bool have_args;
    char *skip_reason; /* ccheck-may-skip, NULL if not given */
} tc_case_t;

/* Reads the directives of srcdir/<tc->name>.c into tc. Returns 0, or -1
 * with the reason added to err. */
int tc_parse_source(const char *srcdir, tc_case_t *tc, tc_buf_t *err);

/* The exit status `ccheck run` must return for this case. */
int tc_case_expected_exit(const tc_case_t *tc);

/* Whether `ccheck run` returning exit_status means the case is skipped:
 * TC_EXIT_SKIP from a case that may skip. */
bool tc_case_skipped(const tc_case_t *tc, int exit_status);

/* Frees everything tc holds, its name included, and zeroes it. */
void tc_case_free(tc_case_t *tc);

#endif
