/* C11 <threads.h>. glibc implements these beside the pthread functions and
 * calls its internal pthread code directly, so they need interposers of
 * their own. thrd_success is 0, like the pthread convention. */
#include "interpose.h"
#include "notify.h"

CC_EXPORT int thrd_create(thrd_t *handle, thrd_start_t start, void *arg)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return CC_REAL(thrd_create)(handle, start, arg);
    cc_thread_t *child = cc_thread_prepare(NULL, arg, false);
    child->c11_start_fn = start;
    int rc = CC_REAL(thrd_create)(handle, cc_thread_trampoline_c11, child);
    if (rc == thrd_success)
        cc_thread_created(child, (pthread_t)*handle, (uint64_t)(uintptr_t)start,
                          CC_THREAD_C11, CC_CALLER());
    else
        cc_thread_create_failed(child);
    cc_leave(t);
    return rc;
}

CC_EXPORT int thrd_join(thrd_t handle, int *result)
{
    CC_WITH_THREAD(t, cc_thread_joining((pthread_t)handle, CC_CALLER()));
    CC_WAIT_BEGIN(CC_WAIT_JOIN, (void *)handle, false);
    int rc = CC_REAL(thrd_join)(handle, result);
    cc_wait_end();
    if (rc == thrd_success)
        CC_WITH_THREAD(t, cc_thread_joined((pthread_t)handle, CC_CALLER()));
    return rc;
}

CC_EXPORT int thrd_detach(thrd_t handle)
{
    int rc = CC_REAL(thrd_detach)(handle);
    if (rc == thrd_success)
        CC_WITH_THREAD(t, cc_thread_detached((pthread_t)handle, CC_CALLER()));
    return rc;
}

CC_EXPORT void thrd_exit(int result)
{
    CC_WITH_THREAD(t, cc_misuse_thread_exiting(t, CC_CALLER()));
    cc_thread_exiting();
    CC_REAL(thrd_exit)(result);
    __builtin_unreachable();
}

CC_EXPORT int mtx_init(mtx_t *m, int type)
{
    int rc = CC_REAL(mtx_init)(m, type);
    CC_INITIALIZED(m, CC_LOCK_C11_MTX, rc == thrd_success);
    return rc;
}

CC_EXPORT void mtx_destroy(mtx_t *m)
{
    CC_DESTROYING(m);
    CC_REAL(mtx_destroy)(m);
}

CC_EXPORT int mtx_lock(mtx_t *m)
{
    int rc;
    CC_BLOCKING_MUTEX_LOCK(rc, CC_REAL(mtx_trylock)(m), CC_REAL(mtx_lock)(m), thrd_busy, m,
                           CC_LOCK_C11_MTX);
    CC_ACQUIRED(m, CC_LOCK_C11_MTX, 0, rc == thrd_success);
    return rc;
}

CC_EXPORT int mtx_trylock(mtx_t *m)
{
    int rc = CC_REAL(mtx_trylock)(m);
    CC_ACQUIRED(m, CC_LOCK_C11_MTX, CC_ACQUIRE_TRY, rc == thrd_success);
    return rc;
}

CC_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abstime)
{
    int rc = CC_REAL(mtx_timedlock)(m, abstime);
    CC_ACQUIRED(m, CC_LOCK_C11_MTX, CC_ACQUIRE_TRY, rc == thrd_success);
    return rc;
}

CC_EXPORT int mtx_unlock(mtx_t *m)
{
    CC_UNLOCKING(m);
    return CC_REAL(mtx_unlock)(m);
}

CC_EXPORT int cnd_init(cnd_t *c)
{
    int rc = CC_REAL(cnd_init)(c);
    if (rc == thrd_success) {
        cc_cond_initialized(c);
        CC_HB_NEW(c);
    }
    return rc;
}

/* As pthread_cond_destroy: checked before the call, which may wait. The
 * condition variable's memory is read and written as in interpose/cond.c. */
CC_EXPORT void cnd_destroy(cnd_t *c)
{
    CC_HB_WRITES(c);
    if (!cc_cond_destroying(c, CC_CALLER())) {
        CC_REAL(cnd_destroy)(c);
        return;
    }
    CC_WAIT_BEGIN(CC_WAIT_COND, c, false);
    CC_REAL(cnd_destroy)(c);
    cc_wait_end();
}

CC_EXPORT int cnd_signal(cnd_t *c)
{
    cc_cond_signaling(c, CC_CALLER());
    CC_HB_RELEASE(c, CC_RACE_HOOK_READ_AFTER);
    return CC_REAL(cnd_signal)(c);
}

CC_EXPORT int cnd_broadcast(cnd_t *c)
{
    cc_cond_signaling(c, CC_CALLER());
    CC_HB_RELEASE(c, CC_RACE_HOOK_READ_AFTER);
    return CC_REAL(cnd_broadcast)(c);
}

/* As pthread_cond_wait: the mutex is held again on success and timeout,
 * and the misuse checks come before the release. */
CC_EXPORT int cnd_wait(cnd_t *c, mtx_t *m)
{
    cc_cond_wait_begin(c, m, CC_LOCK_C11_MTX, CC_CALLER());
    CC_HB_READS(c);
    CC_RELEASING(m);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, false);
    int rc = CC_REAL(cnd_wait)(c, m);
    cc_wait_end();
    CC_HB_ACQUIRE(c, 0u);
    cc_cond_wait_end(c, rc == thrd_timedout, CC_CALLER());
    CC_ACQUIRED(m, CC_LOCK_C11_MTX, 0, rc == thrd_success);
    return rc;
}

CC_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
                            const struct timespec *restrict abstime)
{
    cc_cond_wait_begin(c, m, CC_LOCK_C11_MTX, CC_CALLER());
    CC_HB_READS(c);
    CC_RELEASING(m);
    CC_WAIT_BEGIN(CC_WAIT_COND, c, true);
    int rc = CC_REAL(cnd_timedwait)(c, m, abstime);
    cc_wait_end();
    CC_HB_ACQUIRE(c, 0u);
    cc_cond_wait_end(c, rc == thrd_timedout, CC_CALLER());
    CC_ACQUIRED(m, CC_LOCK_C11_MTX, 0, rc == thrd_success || rc == thrd_timedout);
    return rc;
}

/* As pthread_once (interpose/barrier.c): the routine releases on the flag,
 * every caller acquires. */
CC_EXPORT void call_once(once_flag *flag, void (*init)(void))
{
    if (!CC_RACE_ON()) {
        CC_REAL(call_once)(flag, init);
        return;
    }
    CC_REAL(call_once)(flag, cc_race_once_routine(flag, init));
    CC_HB_ACQUIRE(flag, 0u);
}
