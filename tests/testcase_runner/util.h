/* The small helpers every part of the testcase runner uses: allocation that
 * cannot fail, growable strings and lists of reasons, paths and whole files.
 *
 * The runner is a test program, not a library: on a failure it cannot
 * recover from (out of memory, an unusable path given on the command line)
 * a helper prints "run_testcases: ..." and exits with status 2. */
#ifndef CC_TESTCASE_RUNNER_UTIL_H
#define CC_TESTCASE_RUNNER_UTIL_H

#include <stddef.h>

/* A growable NUL-terminated string; {0} is the empty one, s stays NULL
 * until something is appended. */
typedef struct tc_buf {
    char *s;
    size_t len, cap;
} tc_buf_t;

/* realloc, strndup and strdup that exit with status 2 when out of memory. */
void *tc_xrealloc(void *p, size_t size);
char *tc_xstrndup(const char *s, size_t n);
char *tc_xstrdup(const char *s);

/* Appends printf-style text to b. */
__attribute__((format(printf, 2, 3)))
void tc_buf_printf(tc_buf_t *b, const char *fmt, ...);

/* Appends one reason to a "; "-separated list: why a case failed. */
__attribute__((format(printf, 2, 3)))
void tc_add_reason(tc_buf_t *b, const char *fmt, ...);

/* "dir/name", malloc'd. */
char *tc_path_join(const char *dir, const char *name);

/* Reads a whole file into a malloc'd, NUL-terminated buffer and its length
 * into *len_out. Returns NULL with errno set on failure. */
char *tc_read_file(const char *path, size_t *len_out);

/* realpath(path), malloc'd; on failure prints "run_testcases: WHAT PATH:
 * error" and exits with status 2. */
char *tc_absolute(const char *what, const char *path);

#endif
