/* run_testcases: runs each testcase under `ccheck run` and compares its
 * findings with the expectations written in the testcase's own source.
 *
 *   run_testcases --ccheck PATH --bindir DIR --srcdir DIR [options] [CASE...]
 *
 * For every DIR/<name>.c (all of them in sorted order, or only the CASEs
 * named) it runs `PATH run --format json` on BINDIR/<name> (run_case.h),
 * kills it after --timeout seconds, and checks the exit status and the JSON
 * report (report.h) against what the source says must be found
 * (expectations.h).
 *
 * Output: one line per case on stdout, `PASS <name>`, `FAIL <name>: <why>`
 * or `SKIP <name>: <what it needs>` (a case that may skip, expectations.h,
 * and could not run here), then `N passed, N failed`, with `, N skipped`
 * when some were. When a case fails, what `ccheck run` printed goes to
 * stderr. Exit status: 0 none failed, 1 some failed, 2 bad usage or setup.
 * --keep leaves the reports and output in the temporary directory.
 *
 * --json FILE checks an existing report against one CASE without running
 * anything (the exit status is checked only if --exit-status N is given); it
 * is there to test this runner itself.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expectations.h"
#include "report.h"
#include "run_case.h"
#include "util.h"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every <name>.c in srcdir, sorted. */
static char **list_cases(const char *srcdir, size_t *n_out)
{
    DIR *dir = opendir(srcdir);
    if (!dir) {
        fprintf(stderr, "run_testcases: %s: cannot open directory: %s\n", srcdir,
                strerror(errno));
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        size_t len = strlen(de->d_name);
        if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0 || de->d_name[0] == '.')
            continue;
        names = tc_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = tc_xstrndup(de->d_name, len - 2);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_names);
    *n_out = n;
    return names;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: run_testcases --ccheck PATH --bindir DIR --srcdir DIR [--timeout SEC]\n"
            "                     [--keep] [CASE...]\n"
            "       run_testcases --json REPORT --srcdir DIR [--exit-status N] CASE\n"
            "Runs each testcase DIR/<CASE>.c under `ccheck run` and compares its findings\n"
            "with the ccheck-expect lines of its source. Exit status: 0 none failed\n"
            "(skipped cases do not fail), 1 some failed, 2 bad usage.\n");
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "run_testcases: %s needs an argument\n", argv[*i]);
        usage(stderr);
        exit(2);
    }
    return argv[++*i];
}

static long parse_number(const char *opt, const char *s, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max) {
        fprintf(stderr, "run_testcases: %s: \"%s\" is not a number 0-%ld\n", opt, s, max);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    tc_run_t run = {.timeout = 60};
    const char *ccheck = NULL, *bindir = NULL, *srcdir = NULL;
    const char *json = NULL; /* --json mode */
    int exit_status = -1;    /* --exit-status for --json mode, -1 if not given */
    bool keep = false;
    char **cases = NULL;
    size_t n_cases = 0;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strcmp(a, "--ccheck") == 0) {
            ccheck = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--bindir") == 0) {
            bindir = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--srcdir") == 0) {
            srcdir = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            json = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--exit-status") == 0) {
            exit_status = (int)parse_number(a, need_arg(argc, argv, &i), 255);
        } else if (!opts_done && strcmp(a, "--timeout") == 0) {
            run.timeout = (unsigned)parse_number(a, need_arg(argc, argv, &i), 86400);
        } else if (!opts_done && strcmp(a, "--keep") == 0) {
            keep = true;
        } else if (!opts_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            usage(stdout);
            return 0;
        } else if (!opts_done && a[0] == '-') {
            fprintf(stderr, "run_testcases: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            size_t len = strlen(a);
            if (len > 2 && strcmp(a + len - 2, ".c") == 0)
                len -= 2;
            if (len == 0 || memchr(a, '/', len)) {
                fprintf(stderr, "run_testcases: bad case name \"%s\"\n", a);
                return 2;
            }
            cases = tc_xrealloc(cases, (n_cases + 1) * sizeof *cases);
            cases[n_cases++] = tc_xstrndup(a, len);
        }
    }
    if (!srcdir || (!json && (!ccheck || !bindir)) || (json && n_cases != 1)) {
        usage(stderr);
        return 2;
    }
    char *abs_ccheck = NULL, *abs_bindir = NULL, *tmpdir = NULL;
    if (!cases)
        cases = list_cases(srcdir, &n_cases);
    if (!json) {
        run.ccheck = abs_ccheck = tc_absolute("--ccheck", ccheck);
        run.bindir = abs_bindir = tc_absolute("--bindir", bindir);
        if (access(run.ccheck, X_OK) < 0) {
            fprintf(stderr, "run_testcases: --ccheck %s: %s\n", run.ccheck, strerror(errno));
            return 2;
        }
        tmpdir = tc_run_begin();
    }

    unsigned passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < n_cases; i++) {
        tc_case_t tc = {.name = cases[i], .expect_exit = -1};
        tc_buf_t reasons = {0};
        tc_outcome_t outcome = TC_FAILED;
        if (tc_parse_source(srcdir, &tc, &reasons) == 0) {
            if (json && tc_case_skipped(&tc, exit_status)) {
                outcome = TC_SKIPPED;
            } else if (json) {
                tc_check_outcome(&tc, exit_status, json, &reasons);
                outcome = reasons.len == 0 ? TC_PASSED : TC_FAILED;
            } else {
                outcome = tc_run_case(&run, &tc, tmpdir, &reasons);
            }
        }
        switch (outcome) {
        case TC_PASSED:
            printf("PASS %s\n", tc.name);
            passed++;
            break;
        case TC_SKIPPED:
            printf("SKIP %s: %s\n", tc.name, tc.skip_reason);
            skipped++;
            break;
        default:
            printf("FAIL %s: %s\n", tc.name, reasons.s);
            failed++;
            break;
        }
        fflush(stdout);
        free(reasons.s);
        tc_case_free(&tc); /* frees cases[i] too */
    }
    if (skipped)
        printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
    else
        printf("%u passed, %u failed\n", passed, failed);
    if (tmpdir)
        tc_run_end(tmpdir, keep);
    free(cases);
    free(tmpdir);
    free(abs_ccheck);
    free(abs_bindir);
    return failed ? 1 : 0;
}
