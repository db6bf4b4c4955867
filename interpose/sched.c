/* Scheduling changes. priority-inversion (runtime/prio_inversion.h) keeps
 * each thread's own policy and priority as last read, so that a contended
 * lock need not ask the kernel every time: a change made through any of
 * these makes every thread read its own again. */
#include "interpose.h"

/* A call that changes scheduling and returns 0 on success. */
#define CC_SCHED_SETTER(name, params, args)                                            \
    CC_EXPORT int name params                                                          \
    {                                                                                  \
        int rc = CC_REAL(name) args;                                                   \
        if (rc == 0)                                                                   \
            cc_sched_changed();                                                        \
        return rc;                                                                     \
    }

CC_SCHED_SETTER(pthread_setschedparam,
                (pthread_t thread, int policy, const struct sched_param *param),
                (thread, policy, param))
CC_SCHED_SETTER(pthread_setschedprio, (pthread_t thread, int priority), (thread, priority))
CC_SCHED_SETTER(sched_setscheduler, (pid_t pid, int policy, const struct sched_param *param),
                (pid, policy, param))
CC_SCHED_SETTER(sched_setparam, (pid_t pid, const struct sched_param *param), (pid, param))
