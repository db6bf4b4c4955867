/* pthread_barrier_* and pthread_once: forwarded. pthread_once runs the
 * program's init routine, so no runtime guard is held across it. A destroy
 * of a barrier threads are blocked at is checked before the call
 * (runtime/sync_misuse.c).
 *
 * Happens-before: every thread arriving at a barrier releases on it and
 * acquires after the wait returns, so all of a round's arrivals are before
 * all of its departures. (A fast thread's release for the next round can
 * reach a slow thread still leaving this one: that hides races, never
 * invents one.) A destroy keeps the clock: a thread that left the wait may
 * still be about to acquire.
 *
 * The barrier's memory (runtime/race/race.h): init and destroy write it; a
 * wait reads it as it arrives, before its release, and, unless it is the
 * serial thread, once the real wait returned, before its acquire. That
 * last read is ordered with nobody's destroy: the serial thread destroying
 * the barrier races with the others' return (as TSan reports). The serial
 * thread does not read there: a shadow word keeps one read, and its read
 * would displace another thread's, which its own destroy must still see. */
#include "interpose.h"
#include "sync_misuse.h"

CC_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                                   unsigned count)
{
    int rc = CC_REAL(pthread_barrier_init)(b, attr, count);
    if (rc == 0)
        CC_HB_NEW(b);
    return rc;
}

CC_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    CC_HB_RELEASE(b, CC_RACE_HOOK_READ);
    CC_WAIT_BEGIN(CC_WAIT_BARRIER, b, false);
    int rc = CC_REAL(pthread_barrier_wait)(b);
    cc_wait_end();
    if (rc == 0)
        CC_HB_ACQUIRE(b, CC_RACE_HOOK_READ);
    else if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
        CC_HB_ACQUIRE(b, 0u);
    return rc;
}

CC_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
    CC_HB_WRITES(b);
    /* glibc's destroy of a barrier whose round is unfinished waits for
     * that round to complete, forever if nobody else arrives: the thread
     * counts as blocked at the barrier meanwhile. */
    if (!cc_barrier_destroying(b, CC_CALLER()))
        return CC_REAL(pthread_barrier_destroy)(b);
    CC_WAIT_BEGIN(CC_WAIT_BARRIER, b, false);
    int rc = CC_REAL(pthread_barrier_destroy)(b);
    cc_wait_end();
    return rc;
}

/* The routine that ran releases on the control before the real call marks
 * it done (cc_race_once_routine); every caller acquires once it returns. */
CC_EXPORT int pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (!CC_RACE_ON())
        return CC_REAL(pthread_once)(once, init);
    int rc = CC_REAL(pthread_once)(once, cc_race_once_routine(once, init));
    CC_HB_ACQUIRE(once, 0u);
    return rc;
}
