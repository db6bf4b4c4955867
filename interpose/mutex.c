/* pthread_mutex_*: locks for the lock-order graph. */
#include "interpose.h"

CC_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    int rc = CC_REAL(pthread_mutex_init)(m, attr);
    CC_INITIALIZED(m, CC_LOCK_MUTEX, rc == 0);
    if (rc == 0)
        cc_mutex_protocol_init(m, attr);
    return rc;
}

CC_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    CC_DESTROYING(m);
    return CC_REAL(pthread_mutex_destroy)(m);
}

CC_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    int rc;
    CC_BLOCKING_MUTEX_LOCK(rc, CC_REAL(pthread_mutex_trylock)(m), CC_REAL(pthread_mutex_lock)(m),
                           EBUSY, m, CC_LOCK_MUTEX);
    CC_ACQUIRED(m, CC_LOCK_MUTEX, 0, CC_MUTEX_LOCKED(m, rc));
    return rc;
}

CC_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    int rc = CC_REAL(pthread_mutex_trylock)(m);
    CC_ACQUIRED(m, CC_LOCK_MUTEX, CC_ACQUIRE_TRY, CC_MUTEX_LOCKED(m, rc));
    return rc;
}

/* A timed lock gives up instead of waiting forever: like a trylock, it
 * cannot close a deadlock cycle. */
CC_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    int rc = CC_REAL(pthread_mutex_timedlock)(m, abstime);
    CC_ACQUIRED(m, CC_LOCK_MUTEX, CC_ACQUIRE_TRY, CC_MUTEX_LOCKED(m, rc));
    return rc;
}

CC_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
                                      const struct timespec *abstime)
{
    int rc = CC_REAL(pthread_mutex_clocklock)(m, clock, abstime);
    CC_ACQUIRED(m, CC_LOCK_MUTEX, CC_ACQUIRE_TRY, CC_MUTEX_LOCKED(m, rc));
    return rc;
}

CC_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    CC_UNLOCKING(m);
    int rc = CC_REAL(pthread_mutex_unlock)(m);
    CC_MUTEX_UNLOCKED(m, rc);
    return rc;
}

CC_EXPORT int pthread_mutex_consistent(pthread_mutex_t *m)
{
    return CC_REAL(pthread_mutex_consistent)(m);
}
