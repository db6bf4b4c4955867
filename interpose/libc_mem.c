/* libc's memory and string functions: range accesses for data races.
 *
 * The set is the one ThreadSanitizer intercepts (its own and
 * sanitizer_common's: memcpy to strpbrk; strdup and strndup are with
 * malloc, in malloc.c) with the copying functions it leaves out (mempcpy,
 * stpcpy, strcat, strncat, the wide copies) and the _FORTIFY_SOURCE
 * variants that fortified programs call instead.
 *
 * Each makes the real call; only when race detection is on and the calling
 * thread takes part in it are the bytes the call read and wrote checked,
 * after the call, with the lengths taken from its result (a string that
 * changes under the call is a race itself).
 *
 * Rules:
 *  - The result and errno are the real call's.
 *  - With race detection off, the cost is one predictable branch, and the
 *    real call is a tail call.
 *  - The runtime's own calls (the compiler turns struct copies into
 *    memcpy) run inside the guard and are not checked. A thread the
 *    runtime does not know yet is not registered from here: registering
 *    one calls memset. libc's calls between its own functions do not come
 *    through here. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "interpose.h"

/* The fortified entry points are libc's ABI, in no header. */
void *__memcpy_chk(void *d, const void *s, size_t n, size_t room);
void *__memmove_chk(void *d, const void *s, size_t n, size_t room);
void *__mempcpy_chk(void *d, const void *s, size_t n, size_t room);
void *__memset_chk(void *d, int c, size_t n, size_t room);
char *__strcpy_chk(char *d, const char *s, size_t room);
char *__stpcpy_chk(char *d, const char *s, size_t room);
char *__strncpy_chk(char *d, const char *s, size_t n, size_t room);
char *__strcat_chk(char *d, const char *s, size_t room);
char *__strncat_chk(char *d, const char *s, size_t n, size_t room);

/* An interposer whose `checks`, after the call, see its `result`. */
#define INTERPOSER(type, name, params, args, checks)                                   \
    CC_RACE_INTERPOSER(type, name, params, args, (void)0, CC_RACE_CHECKED(checks))

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Bytes strcmp and its kin read of each string: up to the first
 * difference or the terminator, at most n. */
static size_t compared_length(const char *a, const char *b, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (fold) {
            x = (unsigned char)tolower(x);
            y = (unsigned char)tolower(y);
        }
        if (x != y || x == 0)
            return i + 1;
    }
    return n;
}

/* ---- memory ----------------------------------------------------------------- */

#define COPIED(d, s, n)                                                                \
    do {                                                                               \
        CC_RACE_WRITE((d), (n));                                                               \
        CC_RACE_READ((s), (n));                                                                \
    } while (0)

INTERPOSER(void *, memcpy, (void *d, const void *s, size_t n), (d, s, n), COPIED(d, s, n))
INTERPOSER(void *, memmove, (void *d, const void *s, size_t n), (d, s, n), COPIED(d, s, n))
INTERPOSER(void *, mempcpy, (void *d, const void *s, size_t n), (d, s, n), COPIED(d, s, n))
INTERPOSER(void *, __memcpy_chk, (void *d, const void *s, size_t n, size_t room),
           (d, s, n, room), COPIED(d, s, n))
INTERPOSER(void *, __memmove_chk, (void *d, const void *s, size_t n, size_t room),
           (d, s, n, room), COPIED(d, s, n))
INTERPOSER(void *, __mempcpy_chk, (void *d, const void *s, size_t n, size_t room),
           (d, s, n, room), COPIED(d, s, n))
INTERPOSER(wchar_t *, wmemcpy, (wchar_t *d, const wchar_t *s, size_t n), (d, s, n),
           COPIED(d, s, n * sizeof(wchar_t)))
INTERPOSER(wchar_t *, wmemmove, (wchar_t *d, const wchar_t *s, size_t n), (d, s, n),
           COPIED(d, s, n * sizeof(wchar_t)))

INTERPOSER(void *, memset, (void *d, int c, size_t n), (d, c, n), CC_RACE_WRITE(d, n))
INTERPOSER(void *, __memset_chk, (void *d, int c, size_t n, size_t room), (d, c, n, room),
           CC_RACE_WRITE(d, n))
INTERPOSER(wchar_t *, wmemset, (wchar_t *d, wchar_t c, size_t n), (d, c, n),
           CC_RACE_WRITE(d, n * sizeof(wchar_t)))

/* bcopy and bzero (rare, legacy): memmove's and memset's slow paths. */
CC_EXPORT void bcopy(const void *s, void *d, size_t n)
{
    memmove_checked(CC_CALLER().pc, d, s, n);
}

CC_EXPORT void bzero(void *d, size_t n) { memset_checked(CC_CALLER().pc, d, 0, n); }

/* All n bytes may be read, whatever the result (TSan's strict_memcmp). */
INTERPOSER(int, memcmp, (const void *a, const void *b, size_t n), (a, b, n), {
    CC_RACE_READ(a, n);
    CC_RACE_READ(b, n);
})
INTERPOSER(int, bcmp, (const void *a, const void *b, size_t n), (a, b, n), {
    CC_RACE_READ(a, n);
    CC_RACE_READ(b, n);
})

INTERPOSER(void *, memchr, (const void *s, int c, size_t n), (s, c, n),
           CC_RACE_READ(s, result ? (size_t)((const char *)result - (const char *)s) + 1 : n))
/* memrchr reads from the end back to what it found. */
INTERPOSER(void *, memrchr, (const void *s, int c, size_t n), (s, c, n),
           CC_RACE_READ(result ? result : s,
                result ? n - (size_t)((const char *)result - (const char *)s) : n))

/* ---- strings: lengths --------------------------------------------------------- */

INTERPOSER(size_t, strlen, (const char *s), (s), CC_RACE_READ(s, result + 1))
INTERPOSER(size_t, strnlen, (const char *s, size_t n), (s, n),
           CC_RACE_READ(s, min_size(result + 1, n)))
INTERPOSER(size_t, wcslen, (const wchar_t *s), (s), CC_RACE_READ(s, (result + 1) * sizeof(wchar_t)))

/* ---- strings: copies ----------------------------------------------------------- */

/* A string of `len` characters and its terminator copied from s to d. */
#define STRING_COPIED(d, s, len) COPIED((d), (s), (len) + 1)

INTERPOSER(char *, strcpy, (char *d, const char *s), (d, s),
           STRING_COPIED(d, s, CC_REAL(strlen)(d)))
INTERPOSER(char *, __strcpy_chk, (char *d, const char *s, size_t room), (d, s, room),
           STRING_COPIED(d, s, CC_REAL(strlen)(d)))
INTERPOSER(char *, stpcpy, (char *d, const char *s), (d, s),
           STRING_COPIED(d, s, (size_t)(result - d)))
INTERPOSER(char *, __stpcpy_chk, (char *d, const char *s, size_t room), (d, s, room),
           STRING_COPIED(d, s, (size_t)(result - d)))

/* strncpy writes all n bytes (padding with zeros) and reads the source up
 * to its terminator, at most n bytes. */
#define STRNCPY_CHECKS(d, s, n)                                                        \
    do {                                                                               \
        CC_RACE_WRITE((d), (n));                                                               \
        CC_RACE_READ((s), min_size(CC_REAL(strnlen)((s), (n)) + 1, (n)));                      \
    } while (0)

INTERPOSER(char *, strncpy, (char *d, const char *s, size_t n), (d, s, n),
           STRNCPY_CHECKS(d, s, n))
INTERPOSER(char *, __strncpy_chk, (char *d, const char *s, size_t n, size_t room),
           (d, s, n, room), STRNCPY_CHECKS(d, s, n))

/* strcat and strncat read the destination's string, then write what they
 * add and a terminator after it; the source is read up to what was added
 * (and its terminator, unless n stopped the copy first). */
static void appended(cc_thread_t *t_, uint64_t pc_, char *d, const char *s, size_t n)
{
    size_t added = CC_REAL(strnlen)(s, n);
    size_t before = CC_REAL(strlen)(d) - added;
    CC_RACE_READ(d, before);
    CC_RACE_WRITE(d + before, added + 1);
    CC_RACE_READ(s, min_size(added + 1, n));
}

INTERPOSER(char *, strcat, (char *d, const char *s), (d, s), appended(t_, pc_, d, s, SIZE_MAX))
INTERPOSER(char *, __strcat_chk, (char *d, const char *s, size_t room), (d, s, room),
           appended(t_, pc_, d, s, SIZE_MAX))
INTERPOSER(char *, strncat, (char *d, const char *s, size_t n), (d, s, n),
           appended(t_, pc_, d, s, n))
INTERPOSER(char *, __strncat_chk, (char *d, const char *s, size_t n, size_t room),
           (d, s, n, room), appended(t_, pc_, d, s, n))

/* ---- strings: comparisons and searches --------------------------------------- */

#define COMPARED(a, b, n, fold)                                                        \
    do {                                                                               \
        size_t len_ = compared_length((a), (b), (n), (fold));                          \
        CC_RACE_READ((a), len_);                                                               \
        CC_RACE_READ((b), len_);                                                               \
    } while (0)

INTERPOSER(int, strcmp, (const char *a, const char *b), (a, b), COMPARED(a, b, SIZE_MAX, false))
INTERPOSER(int, strncmp, (const char *a, const char *b, size_t n), (a, b, n),
           COMPARED(a, b, n, false))
INTERPOSER(int, strcasecmp, (const char *a, const char *b), (a, b),
           COMPARED(a, b, SIZE_MAX, true))
INTERPOSER(int, strncasecmp, (const char *a, const char *b, size_t n), (a, b, n),
           COMPARED(a, b, n, true))

/* A search reads up to what it found, or the whole string. */
#define SEARCHED(s, found)                                                             \
    CC_RACE_READ((s), (found) ? (size_t)((found) - (s)) + 1 : CC_REAL(strlen)(s) + 1)
#define WHOLE_STRING(s) CC_RACE_READ((s), CC_REAL(strlen)(s) + 1)

INTERPOSER(char *, strchr, (const char *s, int c), (s, c), SEARCHED(s, result))
INTERPOSER(char *, strchrnul, (const char *s, int c), (s, c), SEARCHED(s, result))
INTERPOSER(char *, strrchr, (const char *s, int c), (s, c), WHOLE_STRING(s))
INTERPOSER(char *, strpbrk, (const char *s, const char *accept), (s, accept), {
    SEARCHED(s, result);
    WHOLE_STRING(accept);
})
INTERPOSER(size_t, strspn, (const char *s, const char *accept), (s, accept), {
    CC_RACE_READ(s, result + 1);
    WHOLE_STRING(accept);
})
INTERPOSER(size_t, strcspn, (const char *s, const char *reject), (s, reject), {
    CC_RACE_READ(s, result + 1);
    WHOLE_STRING(reject);
})
INTERPOSER(char *, strstr, (const char *hay, const char *needle), (hay, needle), {
    size_t needle_len = CC_REAL(strlen)(needle);
    if (result)
        CC_RACE_READ(hay, (size_t)(result - hay) + needle_len);
    else
        WHOLE_STRING(hay);
    CC_RACE_READ(needle, needle_len + 1);
})
