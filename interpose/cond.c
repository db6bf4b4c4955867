/* pthread_cond_*: a wait releases its mutex and takes it again, which the
 * lock-order bookkeeping must see. glibc exports two ABIs under these names;
 * real.c binds the GLIBC_2.3.2 ones.
 *
 * The condition variable's memory (runtime/race/race.h): init and destroy
 * write it. A wait reads it as it starts, before the mutex is released,
 * so whoever takes the mutex next is after that read. A signal reads it
 * after its release: a waiter it wakes does not know the signaller is done
 * with the object, and glibc requires no signal to run concurrently with
 * the destroy. So a signal made after unlocking races with a destroy (or
 * free) by the woken waiter; one made under the mutex does not. */
#include "interpose.h"
#include "notify.h"

CC_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    int rc = CC_REAL(pthread_cond_init)(c, attr);
    if (rc == 0) {
        cc_cond_initialized(c);
        CC_HB_NEW(c);
    }
    return rc;
}

/* Checked before the call: glibc's destroy waits for the waiters to leave,
 * which may be forever. */
CC_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
    CC_HB_WRITES(c);
    /* glibc's destroy waits for the threads still waiting to leave,
     * forever if none is woken: the thread counts as blocked on the
     * condition variable meanwhile, for the watchdog. */
    if (!cc_cond_destroying(c, CC_CALLER()))
        return CC_REAL(pthread_cond_destroy)(c);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, false);
    int rc = CC_REAL(pthread_cond_destroy)(c);
    cc_wait_end();
    return rc;
}

CC_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    cc_cond_signaling(c, CC_CALLER());
    CC_HB_RELEASE(c, CC_RACE_HOOK_READ_AFTER);
    return CC_REAL(pthread_cond_signal)(c);
}

CC_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    cc_cond_signaling(c, CC_CALLER());
    CC_HB_RELEASE(c, CC_RACE_HOOK_READ_AFTER);
    return CC_REAL(pthread_cond_broadcast)(c);
}

/* The mutex is held again when a wait returns, also on timeout; only
 * EINVAL/EPERM-style failures leave it as it was.
 *
 * cc_cond_wait_begin comes before CC_RELEASING: its misuse checks look for
 * the mutex among the locks the thread holds, so it must still be there. */
static inline bool reacquired(int rc) { return rc == 0 || rc == ETIMEDOUT || rc == EINTR; }

CC_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    cc_cond_wait_begin(c, m, CC_LOCK_MUTEX, CC_CALLER());
    CC_HB_READS(c);
    CC_RELEASING(m);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, false);
    int rc = CC_REAL(pthread_cond_wait)(c, m);
    cc_wait_end();
    CC_HB_ACQUIRE(c, 0u);
    cc_cond_wait_end(c, rc == ETIMEDOUT, CC_CALLER());
    CC_ACQUIRED(m, CC_LOCK_MUTEX, 0, reacquired(rc));
    return rc;
}

CC_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                     const struct timespec *abstime)
{
    cc_cond_wait_begin(c, m, CC_LOCK_MUTEX, CC_CALLER());
    CC_HB_READS(c);
    CC_RELEASING(m);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, true);
    int rc = CC_REAL(pthread_cond_timedwait)(c, m, abstime);
    cc_wait_end();
    CC_HB_ACQUIRE(c, 0u);
    cc_cond_wait_end(c, rc == ETIMEDOUT, CC_CALLER());
    CC_ACQUIRED(m, CC_LOCK_MUTEX, 0, reacquired(rc));
    return rc;
}

CC_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
                                     const struct timespec *abstime)
{
    cc_cond_wait_begin(c, m, CC_LOCK_MUTEX, CC_CALLER());
    CC_HB_READS(c);
    CC_RELEASING(m);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, true);
    int rc = CC_REAL(pthread_cond_clockwait)(c, m, clock, abstime);
    cc_wait_end();
    CC_HB_ACQUIRE(c, 0u);
    cc_cond_wait_end(c, rc == ETIMEDOUT, CC_CALLER());
    CC_ACQUIRED(m, CC_LOCK_MUTEX, 0, reacquired(rc));
    return rc;
}
