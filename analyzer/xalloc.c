#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t size)
{
    if (!p && size) {
        fprintf(stderr, "ccheck: out of memory (allocating %zu bytes)\n", size);
        exit(2);
    }
    return p;
}

void *cc_xmalloc(size_t size) { return check(malloc(size ? size : 1), size); }
void *cc_xcalloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1), n * size); }
void *cc_xrealloc(void *p, size_t size) { return check(realloc(p, size ? size : 1), size); }
void *cc_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        fprintf(stderr, "ccheck: out of memory (%zu elements of %zu bytes)\n", n, size);
        exit(2);
    }
    return cc_xrealloc(p, n * size);
}

char *cc_xstrdup(const char *s) { return check(strdup(s), strlen(s) + 1); }

char *cc_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "ccheck: out of memory (formatting a message)\n");
        exit(2);
    }
    return s;
}
