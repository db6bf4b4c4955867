/* Scheduling changes. priority-inversion (runtime/prio_inversion.h) keeps
 * each thread's own policy and priority as last read, so that a contended
 * lock need not ask the kernel every time: a change made through any of
 * these makes every thread read its own again. */
#include "interpose.h"

CC_EXPORT int pthread_setschedparam(pthread_t thread, int policy, const struct sched_param *param)
{
    int rc = CC_REAL(pthread_setschedparam)(thread, policy, param);
    if (rc == 0)
        cc_sched_changed();
    return rc;
}

CC_EXPORT int pthread_setschedprio(pthread_t thread, int priority)
{
    int rc = CC_REAL(pthread_setschedprio)(thread, priority);
    if (rc == 0)
        cc_sched_changed();
    return rc;
}

CC_EXPORT int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
    int rc = CC_REAL(sched_setscheduler)(pid, policy, param);
    if (rc == 0)
        cc_sched_changed();
    return rc;
}

CC_EXPORT int sched_setparam(pid_t pid, const struct sched_param *param)
{
    int rc = CC_REAL(sched_setparam)(pid, param);
    if (rc == 0)
        cc_sched_changed();
    return rc;
}
