/* Semaphores used as locks.
 *
 * Which semaphores count: those the runtime saw initialised with one
 * permit. A wait on one is an acquisition (unless the thread holds it
 * already: a count, not a nesting); a post by a thread that holds it is a
 * release. The first post by a thread that does not hold it shows that the
 * semaphore signals rather than locks (a producer waking a consumer): from
 * then on it is left alone, a record tells the analyzer to drop the edges
 * it made so far, and a thread still holding it from before lets go at its
 * next wait. Everything here is on semaphore calls, not on the lock path. */
#include "sem_lock.h"

#include "lock_order.h"
#include "lock_table.h"
#include "thread.h"
#include "trace.h"

/* The semaphore at sem if it is one that may act as a lock, else NULL. */
static cc_lock_t *lock_like(void *sem)
{
    cc_lock_t *l = cc_lock_find((uint64_t)(uintptr_t)sem);
    if (!l || __atomic_load_n(&l->kind, __ATOMIC_RELAXED) != CC_LOCK_SEM ||
        __atomic_load_n(&l->id, __ATOMIC_RELAXED) == 0 ||
        __atomic_load_n(&l->sem_permits, __ATOMIC_RELAXED) != 1)
        return NULL;
    return l;
}

static bool holds(const cc_thread_t *t, void *sem)
{
    for (uint32_t i = 0; i < t->locks.n_held; i++)
        if (t->locks.held[i].addr == (uint64_t)(uintptr_t)sem)
            return true;
    return false;
}

void cc_sem_initialized(void *sem, unsigned value, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *l = cc_lock_initialized((uint64_t)(uintptr_t)sem, CC_LOCK_SEM, at.pc);
    __atomic_store_n(&l->sem_signals, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->sem_permits, value, __ATOMIC_RELAXED);
    cc_leave(t);
}

void cc_sem_acquired(void *sem, uint32_t flags, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *l = lock_like(sem);
    if (l && __atomic_load_n(&l->sem_signals, __ATOMIC_RELAXED))
        cc_lock_released_entered(t, sem); /* held from before it showed */
    else if (l && !holds(t, sem))
        cc_lock_acquired_entered(t, sem, CC_LOCK_SEM, flags, at);
    cc_leave(t);
}

void cc_sem_posting(void *sem)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *l = lock_like(sem);
    uint32_t no = 0;
    if (l && !cc_lock_released_entered(t, sem) &&
        __atomic_compare_exchange_n(&l->sem_signals, &no, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED)) {
        cc_rec_sem_signals_t rec;
        rec.lock = __atomic_load_n(&l->id, __ATOMIC_RELAXED);
        cc_trace_write(CC_REC_SEM_SIGNALS, &rec.h, sizeof rec);
    }
    cc_leave(t);
}
