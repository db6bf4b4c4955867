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
 *
 * A value ends at the end of the line or at a closing comment. */
#ifndef CC_TESTCASE_RUNNER_EXPECTATIONS_H
#define CC_TESTCASE_RUNNER_EXPECTATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

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
} tc_case_t;

/* Reads the directives of srcdir/<tc->name>.c into tc. Returns 0, or -1
 * with the reason added to err. */
int tc_parse_source(const char *srcdir, tc_case_t *tc, tc_buf_t *err);

/* The exit status `ccheck run` must return for this case. */
int tc_case_expected_exit(const tc_case_t *tc);

/* Frees everything tc holds, its name included, and zeroes it. */
void tc_case_free(tc_case_t *tc);

#endif
