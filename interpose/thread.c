/* pthread thread lifecycle: create, join, detach, exit, cancel. */
#include "interpose.h"

CC_EXPORT int pthread_create(pthread_t *handle, const pthread_attr_t *attr,
                             void *(*start)(void *), void *arg)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return CC_REAL(pthread_create)(handle, attr, start, arg);
    int detach_state = PTHREAD_CREATE_JOINABLE;
    if (attr)
        pthread_attr_getdetachstate(attr, &detach_state);
    bool detached = detach_state == PTHREAD_CREATE_DETACHED;
    cc_thread_t *child = cc_thread_prepare(start, arg, detached);
    /* The guard stays on across the real call: it runs no program code on
     * this thread, and the child waits for cc_thread_created. */
    int rc = CC_REAL(pthread_create)(handle, attr, cc_thread_trampoline, child);
    if (rc == 0)
        cc_thread_created(child, *handle, (uint64_t)(uintptr_t)start,
                          detached ? CC_THREAD_DETACHED : 0, CC_CALLER());
    else
        cc_thread_create_failed(child);
    cc_leave(t);
    return rc;
}

/* Before any join variant: a join of a thread already joined or detached
 * is reported before the real call, whose behaviour is then undefined. */
#define CC_JOINING(handle) CC_WITH_THREAD(t_, cc_thread_joining((handle), CC_CALLER()))

/* After any successful join variant. */
#define CC_JOINED(handle, ok)                                                          \
    do {                                                                               \
        if (ok)                                                                        \
            CC_WITH_THREAD(t_, cc_thread_joined((handle), CC_CALLER()));           \
    } while (0)

CC_EXPORT int pthread_join(pthread_t handle, void **result)
{
    CC_JOINING(handle);
    CC_WAIT_BEGIN(CC_WAIT_JOIN, (void *)handle, false);
    int rc = CC_REAL(pthread_join)(handle, result);
    cc_wait_end();
    CC_JOINED(handle, rc == 0);
    return rc;
}

CC_EXPORT int pthread_tryjoin_np(pthread_t handle, void **result)
{
    CC_JOINING(handle);
    int rc = CC_REAL(pthread_tryjoin_np)(handle, result);
    CC_JOINED(handle, rc == 0);
    return rc;
}

CC_EXPORT int pthread_timedjoin_np(pthread_t handle, void **result, const struct timespec *abstime)
{
    CC_JOINING(handle);
    CC_WAIT_BEGIN(CC_WAIT_JOIN, (void *)handle, true);
    int rc = CC_REAL(pthread_timedjoin_np)(handle, result, abstime);
    cc_wait_end();
    CC_JOINED(handle, rc == 0);
    return rc;
}

CC_EXPORT int pthread_clockjoin_np(pthread_t handle, void **result, clockid_t clock,
                                   const struct timespec *abstime)
{
    CC_JOINING(handle);
    CC_WAIT_BEGIN(CC_WAIT_JOIN, (void *)handle, true);
    int rc = CC_REAL(pthread_clockjoin_np)(handle, result, clock, abstime);
    cc_wait_end();
    CC_JOINED(handle, rc == 0);
    return rc;
}

CC_EXPORT int pthread_detach(pthread_t handle)
{
    int rc = CC_REAL(pthread_detach)(handle);
    if (rc == 0)
        CC_WITH_THREAD(t, cc_thread_detached(handle, CC_CALLER()));
    return rc;
}

/* Shared by pthread_exit and thrd_exit. A thread started through the
 * trampoline writes its exit record from the trampoline's cleanup handler,
 * after the program's own cleanup handlers (which may release locks); any
 * other thread (main) writes it now. */
void cc_thread_exiting(void)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    t->exit_how = CC_EXIT_PTHREAD_EXIT;
    bool trampoline = cc_thread_has_trampoline(t);
    cc_leave(t);
    if (!trampoline)
        cc_thread_exit(CC_EXIT_PTHREAD_EXIT);
}

CC_EXPORT void pthread_exit(void *result)
{
    CC_WITH_THREAD(t, cc_misuse_thread_exiting(t, CC_CALLER()));
    cc_thread_exiting();
    CC_REAL(pthread_exit)(result);
    __builtin_unreachable();
}

CC_EXPORT int pthread_cancel(pthread_t handle) { return CC_REAL(pthread_cancel)(handle); }
