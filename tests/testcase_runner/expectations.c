/* Parsing a testcase's source for its expectations. See expectations.h. */
#include "expectations.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TC_EXIT_FINDINGS 66 /* ccheck run's status when it reports findings */

void tc_case_free(tc_case_t *tc)
{
    for (size_t i = 0; i < tc->n_expects; i++)
        free(tc->expects[i].kind);
    free(tc->expects);
    for (size_t i = 0; i < tc->n_args; i++)
        free(tc->args[i]);
    free(tc->args);
    free(tc->options);
    free(tc->skip_reason);
    free(tc->name);
    memset(tc, 0, sizeof *tc);
}

int tc_case_expected_exit(const tc_case_t *tc)
{
    if (tc->expect_exit >= 0)
        return tc->expect_exit;
    return tc->n_expects ? TC_EXIT_FINDINGS : 0;
}

bool tc_case_skipped(const tc_case_t *tc, int exit_status)
{
    return tc->skip_reason && exit_status == TC_EXIT_SKIP;
}

/* The value of a directive: from after its colon to the end of the line or
 * the end of the comment, blanks trimmed. */
static char *directive_value(const char *start)
{
    const char *end = strstr(start, "*/");
    if (!end)
        end = start + strcspn(start, "\r\n");
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    return tc_xstrndup(start, (size_t)(end - start));
}

static bool valid_kind(const char *kind)
{
    if (!*kind)
        return false;
    for (const char *p = kind; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

/* Parses one directive line. Returns 0, or -1 with a message in err. */
static int parse_line(const char *path, long lineno, const char *line,
                      tc_case_t *tc, tc_buf_t *err)
{
    const char *p;
    if ((p = strstr(line, "ccheck-expect:"))) {
        char *value = directive_value(p + strlen("ccheck-expect:"));
        char *save = NULL;
        int rc = 0, n = 0;
        for (char *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *kind = directive_value(tok);
            if (!valid_kind(kind)) {
                tc_add_reason(err, "%s:%ld: bad kind \"%s\" in ccheck-expect", path, lineno, kind);
                free(kind);
                rc = -1;
                break;
            }
            if (tc->n_expects == tc->cap_expects) {
                tc->cap_expects = tc->cap_expects ? 2 * tc->cap_expects : 8;
                tc->expects = tc_xrealloc(tc->expects, tc->cap_expects * sizeof *tc->expects);
            }
            tc->expects[tc->n_expects++] = (tc_expect_t){.kind = kind, .line = lineno};
            n++;
        }
        if (rc == 0 && n == 0) {
            tc_add_reason(err, "%s:%ld: ccheck-expect names no kind", path, lineno);
            rc = -1;
        }
        free(value);
        return rc;
    }
    if ((p = strstr(line, "ccheck-expect-exit:"))) {
        char *value = directive_value(p + strlen("ccheck-expect-exit:"));
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        int rc = 0;
        if (tc->expect_exit >= 0) {
            tc_add_reason(err, "%s:%ld: second ccheck-expect-exit", path, lineno);
            rc = -1;
        } else if (!*value || *end || errno || v < 0 || v > 255) {
            tc_add_reason(err, "%s:%ld: ccheck-expect-exit \"%s\" is not a status 0-255",
                          path, lineno, value);
            rc = -1;
        } else {
            tc->expect_exit = (int)v;
        }
        free(value);
        return rc;
    }
    if ((p = strstr(line, "ccheck-options:"))) {
        if (tc->options) {
            tc_add_reason(err, "%s:%ld: second ccheck-options", path, lineno);
            return -1;
        }
        tc->options = directive_value(p + strlen("ccheck-options:"));
        return 0;
    }
    if ((p = strstr(line, "ccheck-may-skip:"))) {
        if (tc->skip_reason) {
            tc_add_reason(err, "%s:%ld: second ccheck-may-skip", path, lineno);
            return -1;
        }
        tc->skip_reason = directive_value(p + strlen("ccheck-may-skip:"));
        return 0;
    }
    if ((p = strstr(line, "ccheck-args:"))) {
        if (tc->have_args) {
            tc_add_reason(err, "%s:%ld: second ccheck-args", path, lineno);
            return -1;
        }
        tc->have_args = true;
        char *value = directive_value(p + strlen("ccheck-args:"));
        char *save = NULL;
        for (char *tok = strtok_r(value, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            tc->args = tc_xrealloc(tc->args, (tc->n_args + 1) * sizeof *tc->args);
            tc->args[tc->n_args++] = tc_xstrdup(tok);
        }
        free(value);
        return 0;
    }
    return 0;
}

int tc_parse_source(const char *srcdir, tc_case_t *tc, tc_buf_t *err)
{
    tc_buf_t path = {0};
    tc_buf_printf(&path, "%s/%s.c", srcdir, tc->name);
    FILE *f = fopen(path.s, "r");
    if (!f) {
        tc_add_reason(err, "%s: cannot open: %s", path.s, strerror(errno));
        free(path.s);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    errno = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0)
        rc = parse_line(path.s, ++lineno, line, tc, err);
    if (rc == 0 && ferror(f)) {
        tc_add_reason(err, "%s: read error: %s", path.s, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    free(path.s);
    return rc;
}
