/* pthread_barrier_* and pthread_once: forwarded. pthread_once runs the
 * program's init routine, so no runtime guard is held across it. A destroy
 * of a barrier threads are blocked at is checked before the call
 * (runtime/sync_misuse.c). */
#include "interpose.h"
#include "sync_misuse.h"

CC_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                                   unsigned count)
{
    return CC_REAL(pthread_barrier_init)(b, attr, count);
}

CC_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    CC_WAIT_BEGIN(CC_WAIT_BARRIER, b, false);
    int rc = CC_REAL(pthread_barrier_wait)(b);
    cc_wait_end();
    return rc;
}

CC_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
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

CC_EXPORT int pthread_once(pthread_once_t *once, void (*init)(void))
{
    return CC_REAL(pthread_once)(once, init);
}
