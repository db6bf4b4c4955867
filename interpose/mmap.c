/* mmap and munmap: for data races, memory mapped anew starts clean.
 *
 * The shadow of a range outlives its mapping: without a reset, the accesses
 * made to an unmapped range would race with those made to whatever is
 * mapped there next, at the same addresses, by threads that never
 * synchronised with the old users (and need not: the old memory is gone).
 * So munmap resets the shadow of the range and drops the clocks of the
 * sync objects that lived in it, as free() does for a heap block; so does
 * every mmap that succeeded, for what it mapped, which covers MAP_FIXED over
 * a live range and ranges unmapped behind the runtime's back (libc's own
 * munmap calls, raw syscalls).
 *
 * Rules:
 *  - The result and errno are the real call's. With race detection off
 *    the cost is one predictable branch.
 *  - munmap resets before the real call, mmap after it: never after the
 *    range may have been handed to another thread, whose fresh accesses a
 *    late reset would wipe. (A munmap that then fails has wiped the shadow
 *    of memory that stays: that can hide a race, never invent one.)
 *  - The reset runs inside the guard: clearing the shadow calls memset,
 *    which must not be checked as the program's. The runtime's own
 *    mappings (and libunwind's, made inside the guard) are left alone. */
#include <sys/mman.h>
#include <unistd.h>

#include "interpose.h"

/* The whole pages the kernel maps or unmaps for [addr, addr + len) start
 * clean: no shadow, no clocks of sync objects. */
static void renew(const void *addr, size_t len)
{
    int saved_errno = errno;
    uint64_t page = (uint64_t)getpagesize();
    uint64_t begin = (uint64_t)(uintptr_t)addr & ~(page - 1);
    uint64_t end = ((uint64_t)(uintptr_t)addr + len + page - 1) & ~(page - 1);
    if (len != 0 && end > begin) {
        CC_WITH_THREAD(t, {
            cc_race_shadow_reset(begin, end - begin);
            cc_race_sync_forget_range(begin, end);
        });
    }
    errno = saved_errno;
}

CC_EXPORT int munmap(void *addr, size_t len)
{
    if (CC_RACE_ON())
        renew(addr, len);
    return CC_REAL(munmap)(addr, len);
}

/* mmap64 is mmap on LP64 glibc (an alias); programs may call either. */
#define CC_MMAP(name, off_type)                                                        \
    CC_EXPORT void *name(void *addr, size_t len, int prot, int flags, int fd, off_type off) \
    {                                                                                  \
        void *p = CC_REAL(name)(addr, len, prot, flags, fd, off);                      \
        if (CC_RACE_ON() && p != MAP_FAILED)                                           \
            renew(p, len);                                                             \
        return p;                                                                      \
    }

CC_MMAP(mmap, off_t)
CC_MMAP(mmap64, off64_t)
