/* pthread_spin_*: spinlocks deadlock like mutexes (they spin instead of
 * sleeping), so they are locks for the lock-order graph. */
#include "interpose.h"

CC_EXPORT int pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
    int rc = CC_REAL(pthread_spin_init)(l, pshared);
    CC_INITIALIZED(l, CC_LOCK_SPIN, rc == 0);
    return rc;
}

CC_EXPORT int pthread_spin_destroy(pthread_spinlock_t *l)
{
    CC_DESTROYING(l);
    return CC_REAL(pthread_spin_destroy)(l);
}

CC_EXPORT int pthread_spin_lock(pthread_spinlock_t *l)
{
    int rc;
    CC_BLOCKING_ACQUIRE(rc, CC_REAL(pthread_spin_trylock)(l), CC_REAL(pthread_spin_lock)(l), EBUSY,
                        CC_WAIT_LOCK, (void *)l);
    CC_ACQUIRED((void *)l, CC_LOCK_SPIN, 0, rc == 0);
    return rc;
}

CC_EXPORT int pthread_spin_trylock(pthread_spinlock_t *l)
{
    int rc = CC_REAL(pthread_spin_trylock)(l);
    CC_ACQUIRED((void *)l, CC_LOCK_SPIN, CC_ACQUIRE_TRY, rc == 0);
    return rc;
}

CC_EXPORT int pthread_spin_unlock(pthread_spinlock_t *l)
{
    CC_UNLOCKING((void *)l);
    return CC_REAL(pthread_spin_unlock)(l);
}
