/* Semaphores used as locks: a semaphore of one permit that a thread takes
 * with sem_wait and gives back with sem_post is a lock, and takes part in
 * the lock-order graph like a mutex. */
#ifndef CC_SEM_LOCK_H
#define CC_SEM_LOCK_H

#include <stdint.h>

#include "util.h"

/* After a successful sem_init. */
void cc_sem_initialized(void *sem, unsigned value, cc_caller_t at);
/* After a successful wait (flags: CC_ACQUIRE_TRY for trywait and timed). */
void cc_sem_acquired(void *sem, uint32_t flags, cc_caller_t at);
/* Before a post. */
void cc_sem_posting(void *sem);

#endif
