/* The live deadlock watchdog: turns threads that stay blocked in a
 * deadlock, a self-deadlock or a hang into a report (a CC_REC_STUCK record)
 * and, by default, ends the process. */
#ifndef CC_WATCHDOG_H
#define CC_WATCHDOG_H

/* In a fork child: the watchdog thread did not come along. */
void cc_watchdog_after_fork_child(void);

/* The program has no thread left (main called pthread_exit and the last
 * worker ended): the watchdog ends too, or the process would never exit
 * (glibc ends it when its last thread ends). */
void cc_watchdog_stop(void);

#endif
