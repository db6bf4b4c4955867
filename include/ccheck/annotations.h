/* ccheck annotations: tell the data-race detector about synchronisation
 * it cannot see, and about races that are meant.
 *
 *   CCHECK_HAPPENS_BEFORE(addr)   everything before this point happens
 *                                 before whatever follows a matching
 *   CCHECK_HAPPENS_AFTER(addr)    on the same address in another thread
 *   CCHECK_IGNORE_READS_BEGIN() / CCHECK_IGNORE_READS_END()
 *   CCHECK_IGNORE_WRITES_BEGIN() / CCHECK_IGNORE_WRITES_END()
 *                                 this thread's reads (writes) in between
 *                                 are not checked; regions nest
 *   CCHECK_BENIGN_RACE(addr, size, description)
 *                                 races on [addr, addr + size) are never
 *                                 reported
 *
 * The macros do something only in a program built for race detection:
 * with -fsanitize=thread (gcc's __SANITIZE_THREAD__, clang's
 * __has_feature(thread_sanitizer)) or with -DCCHECK_ENABLE_ANNOTATIONS.
 * Otherwise each is ((void)0) and its arguments are not evaluated.
 *
 * When they are on, they call functions of libccheck declared weak here:
 * a program that is neither linked with -lccheck nor run under ccheck still
 * links and runs, and the macros then do nothing. (Under LD_PRELOAD the
 * program must be position-independent, as Debian builds by default, so
 * that the weak references are resolved at load time.)
 *
 * libccheck also exports the classic names used by TSan and Valgrind
 * (AnnotateHappensBefore, AnnotateHappensAfter, AnnotateIgnoreReadsBegin,
 * AnnotateIgnoreReadsEnd, AnnotateIgnoreWritesBegin, AnnotateIgnoreWritesEnd,
 * AnnotateBenignRaceSized, AnnotateBenignRace), so code annotated for TSan
 * works unchanged. */
#ifndef CCHECK_ANNOTATIONS_H
#define CCHECK_ANNOTATIONS_H

#if defined(CCHECK_ENABLE_ANNOTATIONS) || defined(__SANITIZE_THREAD__)
#define CCHECK_ANNOTATIONS_ON 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CCHECK_ANNOTATIONS_ON 1
#endif
#endif

#ifdef CCHECK_ANNOTATIONS_ON

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void ccheck_annotate_happens_before(const volatile void *addr) __attribute__((weak));
void ccheck_annotate_happens_after(const volatile void *addr) __attribute__((weak));
void ccheck_annotate_ignore_reads_begin(void) __attribute__((weak));
void ccheck_annotate_ignore_reads_end(void) __attribute__((weak));
void ccheck_annotate_ignore_writes_begin(void) __attribute__((weak));
void ccheck_annotate_ignore_writes_end(void) __attribute__((weak));
void ccheck_annotate_benign_race(const volatile void *addr, size_t size, const char *description)
    __attribute__((weak));

#ifdef __cplusplus
}
#endif

/* Calls fn(args) if libccheck is there. */
#define CCHECK_ANNOTATION_CALL_(fn, args) ((fn) ? (fn)args : (void)0)

#define CCHECK_HAPPENS_BEFORE(addr)                                                                \
    CCHECK_ANNOTATION_CALL_(ccheck_annotate_happens_before, ((const volatile void *)(addr)))
#define CCHECK_HAPPENS_AFTER(addr)                                                                 \
    CCHECK_ANNOTATION_CALL_(ccheck_annotate_happens_after, ((const volatile void *)(addr)))
#define CCHECK_IGNORE_READS_BEGIN() CCHECK_ANNOTATION_CALL_(ccheck_annotate_ignore_reads_begin, ())
#define CCHECK_IGNORE_READS_END() CCHECK_ANNOTATION_CALL_(ccheck_annotate_ignore_reads_end, ())
#define CCHECK_IGNORE_WRITES_BEGIN()                                                               \
    CCHECK_ANNOTATION_CALL_(ccheck_annotate_ignore_writes_begin, ())
#define CCHECK_IGNORE_WRITES_END() CCHECK_ANNOTATION_CALL_(ccheck_annotate_ignore_writes_end, ())
#define CCHECK_BENIGN_RACE(addr, size, description)                                                \
    CCHECK_ANNOTATION_CALL_(ccheck_annotate_benign_race,                                           \
                            ((const volatile void *)(addr), (size_t)(size), (description)))

#else

#define CCHECK_HAPPENS_BEFORE(addr) ((void)0)
#define CCHECK_HAPPENS_AFTER(addr) ((void)0)
#define CCHECK_IGNORE_READS_BEGIN() ((void)0)
#define CCHECK_IGNORE_READS_END() ((void)0)
#define CCHECK_IGNORE_WRITES_BEGIN() ((void)0)
#define CCHECK_IGNORE_WRITES_END() ((void)0)
#define CCHECK_BENIGN_RACE(addr, size, description) ((void)0)

#endif

#endif
