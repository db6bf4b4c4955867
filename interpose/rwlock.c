/* pthread_rwlock_*: read and write locks for the lock-order graph. */
#include "interpose.h"

CC_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
    int rc = CC_REAL(pthread_rwlock_init)(l, attr);
    CC_INITIALIZED(l, CC_LOCK_RWLOCK, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
    CC_DESTROYING(l);
    return CC_REAL(pthread_rwlock_destroy)(l);
}

CC_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    int rc;
    CC_BLOCKING_ACQUIRE(rc, CC_REAL(pthread_rwlock_tryrdlock)(l), CC_REAL(pthread_rwlock_rdlock)(l),
                        EBUSY, CC_WAIT_READ_LOCK, l);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_READ, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    int rc = CC_REAL(pthread_rwlock_tryrdlock)(l);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_READ | CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
    int rc = CC_REAL(pthread_rwlock_timedrdlock)(l, abstime);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_READ | CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                                         const struct timespec *abstime)
{
    int rc = CC_REAL(pthread_rwlock_clockrdlock)(l, clock, abstime);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_READ | CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    CC_WRLOCKING(l);
    int rc;
    CC_BLOCKING_ACQUIRE(rc, CC_REAL(pthread_rwlock_trywrlock)(l), CC_REAL(pthread_rwlock_wrlock)(l),
                        EBUSY, CC_WAIT_LOCK, l);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, 0, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    int rc = CC_REAL(pthread_rwlock_trywrlock)(l);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
    CC_WRLOCKING(l);
    int rc = CC_REAL(pthread_rwlock_timedwrlock)(l, abstime);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                                         const struct timespec *abstime)
{
    CC_WRLOCKING(l);
    int rc = CC_REAL(pthread_rwlock_clockwrlock)(l, clock, abstime);
    CC_ACQUIRED(l, CC_LOCK_RWLOCK, CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    CC_UNLOCKING_AS(l, CC_RACE_HOOK_RWLOCK);
    return CC_REAL(pthread_rwlock_unlock)(l);
}
