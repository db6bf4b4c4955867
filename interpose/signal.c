/* Signal dispositions: every libc entry point that installs a handler or
 * reports the previous one, so that a handler of the program's gets the
 * happens-before edge of its installation and the program never sees the
 * runtime's wrapper or handlers (runtime/signals.c has the rules).
 *
 * glibc's signal, bsd_signal and ssignal are one function (BSD semantics:
 * SA_RESTART unless siginterrupt said otherwise, the signal masked in its
 * handler); sysv_signal and __sysv_signal another (what signal() is in a
 * strict ISO C build); sigset a third. Each installs through libc's
 * internal sigaction, which does not come through here, so:
 *  - signal and its aliases make the real call and then wrap what it
 *    installed (the SA_RESTART choice is libc's hidden state);
 *  - sysv_signal and sigset are made of sigaction here, with the flags and
 *    mask glibc gives them, so a one-shot sysv handler is never re-armed. */
#include <signal.h>

#include "interpose.h"
#include "signals.h"

CC_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    return cc_signal_action(sig, act, oldact);
}

/* glibc exports sigaction under this name too. */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *oldact);
CC_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    return cc_signal_action(sig, act, oldact);
}

CC_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    return cc_signal_install_via(sig, handler, CC_REAL(signal));
}

sighandler_t bsd_signal(int sig, sighandler_t handler);
CC_EXPORT sighandler_t bsd_signal(int sig, sighandler_t handler)
{
    return cc_signal_install_via(sig, handler, CC_REAL(signal));
}

sighandler_t ssignal(int sig, sighandler_t handler);
CC_EXPORT sighandler_t ssignal(int sig, sighandler_t handler)
{
    return cc_signal_install_via(sig, handler, CC_REAL(signal));
}

/* One-shot, not masked in its handler, system calls not restarted
 * (SA_INTERRUPT is a historical no-op glibc still passes). */
static sighandler_t sysv_signal_impl(int sig, sighandler_t handler)
{
    if (handler == SIG_ERR || sig < 1 || sig >= NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction act, old;
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_RESETHAND | SA_NODEFER | SA_INTERRUPT;
    act.sa_restorer = NULL;
    if (cc_signal_action(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

CC_EXPORT sighandler_t sysv_signal(int sig, sighandler_t handler)
{
    return sysv_signal_impl(sig, handler);
}

sighandler_t __sysv_signal(int sig, sighandler_t handler);
CC_EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
    return sysv_signal_impl(sig, handler);
}

/* SIG_HOLD blocks the signal and leaves the disposition; anything else is
 * installed with no mask and no flags, and the signal unblocked. Either
 * way the result is SIG_HOLD if the signal was blocked, else the previous
 * disposition. */
CC_EXPORT sighandler_t sigset(int sig, sighandler_t disp)
{
    sigset_t set, was_blocked;
    sigemptyset(&set);
    if (sigaddset(&set, sig) < 0)
        return SIG_ERR;
    struct sigaction old;
    if (disp == SIG_HOLD) {
        if (sigprocmask(SIG_BLOCK, &set, &was_blocked) < 0)
            return SIG_ERR;
        if (sigismember(&was_blocked, sig))
            return SIG_HOLD;
        if (cc_signal_action(sig, NULL, &old) < 0)
            return SIG_ERR;
        return old.sa_handler;
    }
    struct sigaction act;
    act.sa_handler = disp;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;
    act.sa_restorer = NULL;
    if (cc_signal_action(sig, &act, &old) < 0)
        return SIG_ERR;
    if (sigprocmask(SIG_UNBLOCK, &set, &was_blocked) < 0)
        return SIG_ERR;
    return sigismember(&was_blocked, sig) ? SIG_HOLD : old.sa_handler;
}
