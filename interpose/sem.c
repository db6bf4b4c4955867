/* POSIX semaphores. Each returns -1 with errno set on failure, which
 * passes through untouched (the runtime saves and restores errno). A
 * semaphore of one permit used as a lock joins the lock-order graph
 * (runtime/sem_lock.c); blocking waits mark the thread as waiting. A use of
 * a destroyed or never initialised semaphore is checked before the call, an
 * overflowing or (bounded_semaphore=1) over-bound post after it
 * (runtime/sync_misuse.c).
 *
 * The semaphore's memory (runtime/race/race.h): init and destroy write it,
 * a post reads it before its release (the waiter it lets through may
 * destroy it: glibc allows that), and a wait that succeeded reads it
 * before its acquire. */
#include <fcntl.h>
#include <stdarg.h>

#include "interpose.h"
#include "sem_lock.h"
#include "sync_misuse.h"

CC_EXPORT int sem_init(sem_t *s, int pshared, unsigned value)
{
    int rc = CC_REAL(sem_init)(s, pshared, value);
    if (rc == 0) {
        cc_sem_initialized(s, value, CC_CALLER());
        CC_HB_NEW(s);
    }
    return rc;
}

CC_EXPORT int sem_destroy(sem_t *s)
{
    cc_sem_destroying(s, CC_CALLER());
    CC_HB_NEW(s);
    return CC_REAL(sem_destroy)(s);
}

CC_EXPORT int sem_wait(sem_t *s)
{
    cc_sem_check_use(s, CC_CALLER());
    CC_WAIT_BEGIN(CC_WAIT_SEM, s, false);
    int rc = CC_REAL(sem_wait)(s);
    cc_wait_end();
    if (rc == 0) {
        cc_sem_acquired(s, 0, CC_CALLER());
        CC_HB_ACQUIRE(s, CC_RACE_HOOK_READ);
    }
    return rc;
}

CC_EXPORT int sem_trywait(sem_t *s)
{
    cc_sem_check_use(s, CC_CALLER());
    int rc = CC_REAL(sem_trywait)(s);
    if (rc == 0) {
        cc_sem_acquired(s, CC_ACQUIRE_TRY, CC_CALLER());
        CC_HB_ACQUIRE(s, CC_RACE_HOOK_READ);
    }
    return rc;
}

CC_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
    cc_sem_check_use(s, CC_CALLER());
    CC_WAIT_BEGIN(CC_WAIT_SEM, s, true);
    int rc = CC_REAL(sem_timedwait)(s, abstime);
    cc_wait_end();
    if (rc == 0) {
        cc_sem_acquired(s, CC_ACQUIRE_TRY, CC_CALLER());
        CC_HB_ACQUIRE(s, CC_RACE_HOOK_READ);
    }
    return rc;
}

CC_EXPORT int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
    cc_sem_check_use(s, CC_CALLER());
    CC_WAIT_BEGIN(CC_WAIT_SEM, s, true);
    int rc = CC_REAL(sem_clockwait)(s, clock, abstime);
    cc_wait_end();
    if (rc == 0) {
        cc_sem_acquired(s, CC_ACQUIRE_TRY, CC_CALLER());
        CC_HB_ACQUIRE(s, CC_RACE_HOOK_READ);
    }
    return rc;
}

CC_EXPORT int sem_post(sem_t *s)
{
    cc_sem_check_use(s, CC_CALLER());
    cc_sem_posting(s);
    CC_HB_RELEASE(s, CC_RACE_HOOK_READ);
    int rc = CC_REAL(sem_post)(s);
    if (cc_sem_post_needs_check(rc))
        cc_sem_posted(s, rc, CC_CALLER());
    return rc;
}

/* sem_open takes a mode and a value only with O_CREAT. */
CC_EXPORT sem_t *sem_open(const char *name, int oflag, ...)
{
    sem_t *s;
    if (!(oflag & O_CREAT)) {
        s = CC_REAL(sem_open)(name, oflag);
    } else {
        va_list ap;
        va_start(ap, oflag);
        mode_t mode = (mode_t)va_arg(ap, unsigned);
        unsigned value = va_arg(ap, unsigned);
        va_end(ap);
        s = CC_REAL(sem_open)(name, oflag, mode, value);
    }
    /* A semaphore from here on, of a value not known (it may exist
     * already): a destroy seen at its address before is forgotten. */
    if (s != SEM_FAILED)
        cc_sem_opened(s, CC_CALLER());
    return s;
}

CC_EXPORT int sem_close(sem_t *s) { return CC_REAL(sem_close)(s); }
