/* Allocation that cannot fail: the analyzer has no way on without memory,
 * so these print one line naming the size and exit with status 2. */
#ifndef CC_ANALYZER_XALLOC_H
#define CC_ANALYZER_XALLOC_H

#include <stddef.h>

void *cc_xmalloc(size_t size);
void *cc_xcalloc(size_t n, size_t size);
void *cc_xrealloc(void *p, size_t size);
/* realloc to n elements of `size` bytes, refusing an overflowing count. */
void *cc_xreallocarray(void *p, size_t n, size_t size);
char *cc_xstrdup(const char *s);
/* asprintf that cannot fail. */
char *cc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
