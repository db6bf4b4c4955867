/* Priority inversion. See prio_inversion.h for the rules. */
#include "prio_inversion.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lock_table.h"
#include "misuse.h"
#include "stack.h"
#include "thread.h"

/* Calls the runtime saw that changed some thread's scheduling. Starts at
 * 1 so that a fresh thread state (0) never matches. */
static uint32_t sched_changes = 1;

void cc_sched_changed(void) { __atomic_fetch_add(&sched_changes, 1, __ATOMIC_RELAXED); }

static bool is_realtime(int policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }

bool cc_sched_inverted(uint32_t waiter, uint32_t holder)
{
    if (!is_realtime(CC_SCHED_POLICY(waiter)) || CC_SCHED_POLICY(holder) == SCHED_DEADLINE)
        return false; /* a deadline task runs before every real-time one */
    return !is_realtime(CC_SCHED_POLICY(holder)) ||
           CC_SCHED_PRIORITY(holder) < CC_SCHED_PRIORITY(waiter);
}

/* Kernel thread os_tid's scheduling (0: the caller), or false if it is
 * gone. Raw syscalls: the glibc wrappers would set errno. */
static bool read_sched(uint32_t os_tid, uint32_t *out)
{
    struct sched_param param = {0};
    long policy = syscall(SYS_sched_getscheduler, (long)os_tid);
    if (policy < 0 || syscall(SYS_sched_getparam, (long)os_tid, &param) < 0)
        return false;
    /* SCHED_RESET_ON_FORK is a flag on the policy, not a policy. */
    *out = CC_SCHED_PACK((int)policy & ~SCHED_RESET_ON_FORK, param.sched_priority);
    return true;
}

/* The calling thread's scheduling, read again when stale. */
static uint32_t own_sched(cc_thread_t *t)
{
    uint32_t changes = __atomic_load_n(&sched_changes, __ATOMIC_RELAXED);
    uint64_t now = cc_coarse_ns();
    if (t->sched_changes != changes || now - t->sched_read_ns > CC_SCHED_RECHECK_NS) {
        if (!read_sched(0, &t->sched))
            t->sched = CC_SCHED_PACK(SCHED_OTHER, 0);
        t->sched_changes = changes;
        t->sched_read_ns = now;
    }
    return t->sched;
}

void cc_prio_check(void *mutex, cc_lock_kind_t kind, cc_caller_t at)
{
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    int saved_errno = errno;
    uint64_t key = (uint64_t)(uintptr_t)mutex;
    cc_lock_t *lock = cc_lock_find(key);
    uint32_t waiter = own_sched(t);
    cc_mutex_holder_t holder;
    uint32_t holder_sched;
    /* Cheapest first: most contended locks stop at the waiter's policy. */
    if (!is_realtime(CC_SCHED_POLICY(waiter)) || !lock ||
        __atomic_load_n(&lock->mutex_protocol, __ATOMIC_RELAXED) != PTHREAD_PRIO_NONE ||
        !cc_misuse_mutex_holder(t, key, kind, &holder) || holder.prio_protocol ||
        !read_sched(holder.os_tid, &holder_sched) || !cc_sched_inverted(waiter, holder_sched) ||
        !cc_misuse_site_budget(CC_MISUSE_PRIORITY_INVERSION, 0, at.pc))
        goto out;
    cc_misuse_write(CC_MISUSE_PRIORITY_INVERSION, key, lock, cc_stack_here(at), holder.tid,
                    holder.stack, (int32_t)waiter, holder_sched);
out:
    errno = saved_errno;
    cc_leave(t);
}

void cc_mutex_protocol_init(void *mutex, const pthread_mutexattr_t *attr)
{
    int protocol = PTHREAD_PRIO_NONE;
    if (!attr || pthread_mutexattr_getprotocol(attr, &protocol) != 0 ||
        protocol == PTHREAD_PRIO_NONE)
        return; /* what the lock table set the instance to */
    cc_thread_t *t = cc_enter();
    if (!t)
        return;
    cc_lock_t *lock = cc_lock_find((uint64_t)(uintptr_t)mutex);
    if (lock)
        __atomic_store_n(&lock->mutex_protocol, (uint32_t)protocol, __ATOMIC_RELAXED);
    cc_leave(t);
}
