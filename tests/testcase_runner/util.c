/* Allocation, strings, paths and files for the testcase runner. See util.h. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *tc_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fprintf(stderr, "run_testcases: out of memory\n");
        exit(2);
    }
    return q;
}

char *tc_xstrndup(const char *s, size_t n)
{
    char *d = tc_xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tc_xstrdup(const char *s)
{
    return tc_xstrndup(s, strlen(s));
}

void tc_buf_printf(tc_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = tc_xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tc_add_reason(tc_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    tc_buf_printf(b, "%s%s", b->len ? "; " : "", msg ? msg : "(out of memory)");
    free(msg);
}

char *tc_path_join(const char *dir, const char *name)
{
    tc_buf_t b = {0};
    tc_buf_printf(&b, "%s/%s", dir, name);
    return b.s;
}

char *tc_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *data = tc_xrealloc(NULL, cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            data = tc_xrealloc(data, cap);
        }
        size_t n = fread(data + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    data[len] = '\0';
    *len_out = len;
    return data;
}

char *tc_absolute(const char *what, const char *path)
{
    char *abs = realpath(path, NULL);
    if (!abs) {
        fprintf(stderr, "run_testcases: %s %s: %s\n", what, path, strerror(errno));
        exit(2);
    }
    return abs;
}
