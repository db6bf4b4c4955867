/* Misuse of semaphores and barriers: sem-invalid, sem-overflow,
 * sem-bound-exceeded and destroy-with-waiters (runtime/sync_misuse.c).
 *
 * Every function takes the guard itself, preserves errno and never changes
 * what the real call does: the checks before a call only read, the ones
 * after it only look at what it returned. */
#ifndef CC_SYNC_MISUSE_H
#define CC_SYNC_MISUSE_H

#include <stdint.h>

#include "options.h"
#include "util.h"

/* sem_permits of a semaphore whose initial value is not known (sem_open
 * of an existing one): never taken for a lock, never bounded. */
#define CC_SEM_PERMITS_UNKNOWN UINT32_MAX

/* Before sem_post and every sem_*wait: sem-invalid for a semaphore the
 * runtime saw destroyed, or whose memory no initialisation leaves. */
void cc_sem_check_use(void *sem, cc_caller_t at);

/* Before the real sem_destroy: sem-invalid as above, destroy-with-waiters,
 * then marks the semaphore destroyed (where and by whom). */
void cc_sem_destroying(void *sem, cc_caller_t at);

/* After a successful sem_open: a semaphore, initial value unknown. */
void cc_sem_opened(void *sem, cc_caller_t at);

/* After the real sem_post returned rc: sem-overflow (EOVERFLOW) and, with
 * bounded_semaphore=1, sem-bound-exceeded. Only called when one of them can
 * apply (see cc_sem_post_needs_check), so a post pays one test. */
void cc_sem_posted(void *sem, int rc, cc_caller_t at);
static inline int cc_sem_post_needs_check(int rc)
{
    return CC_UNLIKELY(rc != 0) || CC_UNLIKELY(cc_opt.bounded_semaphore != 0);
}

/* Before the real pthread_barrier_destroy: destroy-with-waiters. True
 * when a round is unfinished, so glibc's destroy will wait for it. */
bool cc_barrier_destroying(void *barrier, cc_caller_t at);

#endif
