/* The functions behind ccheck/annotations.h, and the classic names that
 * code annotated for TSan or Valgrind calls (AnnotateHappensBefore, ...).
 *
 * Rules: each is called from program code, outside the runtime; work that
 * touches shared state runs inside the guard. The header declares the
 * ccheck_annotate_* functions weak for the program's sake; they are
 * declared here again without it, so libccheck's definitions are strong. */
#include <stddef.h>
#include <stdint.h>

#include "race/access.h"
#include "race/race.h"
#include "thread.h"
#include "util.h"

CC_EXPORT void ccheck_annotate_happens_before(const volatile void *addr);
CC_EXPORT void ccheck_annotate_happens_after(const volatile void *addr);
CC_EXPORT void ccheck_annotate_ignore_reads_begin(void);
CC_EXPORT void ccheck_annotate_ignore_reads_end(void);
CC_EXPORT void ccheck_annotate_ignore_writes_begin(void);
CC_EXPORT void ccheck_annotate_ignore_writes_end(void);
CC_EXPORT void ccheck_annotate_benign_race(const volatile void *addr, size_t size,
                                           const char *description);

CC_EXPORT void __tsan_release(void *addr);
CC_EXPORT void __tsan_acquire(void *addr);
CC_EXPORT void AnnotateHappensBefore(const char *file, int line, const volatile void *addr);
CC_EXPORT void AnnotateHappensAfter(const char *file, int line, const volatile void *addr);
CC_EXPORT void AnnotateIgnoreReadsBegin(const char *file, int line);
CC_EXPORT void AnnotateIgnoreReadsEnd(const char *file, int line);
CC_EXPORT void AnnotateIgnoreWritesBegin(const char *file, int line);
CC_EXPORT void AnnotateIgnoreWritesEnd(const char *file, int line);
CC_EXPORT void AnnotateBenignRaceSized(const char *file, int line, const volatile void *addr,
                                       size_t size, const char *description);
CC_EXPORT void AnnotateBenignRace(const char *file, int line, const volatile void *addr,
                                  const char *description);

/* A release (before) or an acquire (after) on addr, as a lock would make. */
static void happens(const volatile void *addr, bool before)
{
    if (!__atomic_load_n(&cc_race_enabled, __ATOMIC_RELAXED))
        return;
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    if (t->race.active) {
        if (before)
            cc_race_release(t, (uint64_t)(uintptr_t)addr, CC_SYNC_MAIN);
        else
            cc_race_acquire(t, (uint64_t)(uintptr_t)addr, CC_SYNC_MAIN);
    }
    cc_leave(t);
}

/* Opens (+1) or closes (-1) an ignore region; cc_enter registers a thread
 * the runtime has not seen yet, so its counters exist. */
static void ignore(bool reads, int delta)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    uint32_t *count = reads ? &t->race.ignore_reads : &t->race.ignore_writes;
    if (delta > 0)
        ++*count;
    else if (*count > 0) /* an end without a begin is ignored */
        --*count;
    cc_leave(t);
}

void ccheck_annotate_happens_before(const volatile void *addr) { happens(addr, true); }
void ccheck_annotate_happens_after(const volatile void *addr) { happens(addr, false); }
void ccheck_annotate_ignore_reads_begin(void) { ignore(true, 1); }
void ccheck_annotate_ignore_reads_end(void) { ignore(true, -1); }
void ccheck_annotate_ignore_writes_begin(void) { ignore(false, 1); }
void ccheck_annotate_ignore_writes_end(void) { ignore(false, -1); }

void ccheck_annotate_benign_race(const volatile void *addr, size_t size, const char *description)
{
    (void)description;
    cc_race_benign_add((uint64_t)(uintptr_t)addr, size);
}

/* ---- the classic names --------------------------------------------------------- */

/* TSan's public interface (sanitizer/tsan_interface.h). */
void __tsan_release(void *addr) { happens(addr, true); }
void __tsan_acquire(void *addr) { happens(addr, false); }

void AnnotateHappensBefore(const char *file, int line, const volatile void *addr)
{
    (void)file, (void)line;
    happens(addr, true);
}

void AnnotateHappensAfter(const char *file, int line, const volatile void *addr)
{
    (void)file, (void)line;
    happens(addr, false);
}

void AnnotateIgnoreReadsBegin(const char *file, int line)
{
    (void)file, (void)line;
    ignore(true, 1);
}

void AnnotateIgnoreReadsEnd(const char *file, int line)
{
    (void)file, (void)line;
    ignore(true, -1);
}

void AnnotateIgnoreWritesBegin(const char *file, int line)
{
    (void)file, (void)line;
    ignore(false, 1);
}

void AnnotateIgnoreWritesEnd(const char *file, int line)
{
    (void)file, (void)line;
    ignore(false, -1);
}

void AnnotateBenignRaceSized(const char *file, int line, const volatile void *addr, size_t size,
                             const char *description)
{
    (void)file, (void)line;
    ccheck_annotate_benign_race(addr, size, description);
}

/* TSan's AnnotateBenignRace covers one byte at addr. */
void AnnotateBenignRace(const char *file, int line, const volatile void *addr,
                        const char *description)
{
    (void)file, (void)line;
    ccheck_annotate_benign_race(addr, 1, description);
}
