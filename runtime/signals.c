/* Signal dispositions: the program's handlers and the runtime's own.
 *
 * The happens-before edge. A handler runs after the sigaction that
 * installed it, on whatever thread the signal lands (ThreadSanitizer has
 * the same model): the installation releases on an address of the
 * signal's own, and the handler acquires it before it runs. The kernel
 * does not say which installation a delivery comes from, so the program's
 * handler is installed as a wrapper (wrap_plain or wrap_info, always with
 * SA_SIGINFO, with the program's mask and other flags) that acquires and
 * then calls the program's handler, found in a table.
 *
 * Wrapped only when race detection is on when the handler is installed.
 * The edge is all the wrapper is for, and an installation made before
 * race detection was on released nothing, so its handler would have
 * nothing to acquire. A program with no instrumented code keeps exactly
 * the dispositions it asked for, with no runtime frame under its handlers.
 *
 * Rules:
 *  - The table holds, per signal, the program's last handler of each form
 *    (one argument, or SA_SIGINFO's three). It is written before the
 *    installation that makes the kernel call the matching wrapper, and
 *    never cleared (SIG_DFL and SIG_IGN leave it as it is), so a wrapper
 *    always finds a handler of its own form: the one the kernel's
 *    disposition stands for, or, when another sigaction of that signal
 *    overlaps the delivery, the newer one being installed.
 *  - oldact, and the handler signal() returns, are what the program set: a
 *    wrapper shows as the handler it calls, with SA_SIGINFO only if the
 *    program asked for it; a handler of the runtime's shows as the default
 *    action, which is what the program would see without ccheck.
 *  - The program's calls are serialised by one lock, held with every
 *    signal blocked so that a handler that calls sigaction on the thread
 *    holding it cannot deadlock. The lock holds the holder's pid, so a
 *    fork child that inherits it held (by a thread it does not have) takes
 *    it over. The wrappers take no lock: a signal that arrives while the
 *    table changes reads a whole pointer, old or new.
 *  - The wrapper acquires only on a thread with runtime state that is not
 *    inside the runtime's guard (a signal that interrupts the runtime, or
 *    comes before it is up, runs the program's handler without the edge),
 *    and keeps errno across its own work only: what the program's handler
 *    does to errno, the interrupted code sees, as without ccheck.
 *  - An acquire from a handler that interrupts an instrumented access on
 *    its way through the shadow (outside the guard) may grow the thread's
 *    clock under it: that access can then be judged with a stale clock,
 *    a wrong verdict for one access at worst (clock storage is never
 *    unmapped), in a window of a few instructions.
 *  - Inside the lock only the runtime's own memory is touched: the
 *    program's structs are read before it and written after it, so a
 *    fault on them reaches the program's SIGSEGV handler as without
 *    ccheck. They are copied with the real memcpy: the interposed one
 *    would check the copy as an access of the program's.
 *  - The runtime installs its own handlers with the real sigaction: they
 *    are never wrapped. */
#include "signals.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "race/race.h"
#include "real.h"
#include "thread.h"
#include "util.h"

typedef void (*info_handler_t)(int, siginfo_t *, void *);

static void wrap_plain(int sig, siginfo_t *info, void *uctx);
static void wrap_info(int sig, siginfo_t *info, void *uctx);

static struct {
    int lock_pid; /* 0, or the pid of the process whose thread holds the lock */
    /* The program's handlers, read by the wrappers (see the rules). */
    cc_sighandler_t plain[NSIG];
    info_handler_t info[NSIG];
    /* The kernel's flags for the signal carry an SA_SIGINFO the program did
     * not ask for: its last installation was wrapped, one-argument form. */
    bool siginfo_added[NSIG];
    /* The runtime's handler (cc_signal_claim) until the program installs
     * anything for the signal. */
    cc_sighandler_t runtime[NSIG];
} disp;

/* The program's previous handlers of a signal, to show oldact with. */
typedef struct shown {
    cc_sighandler_t plain;
    info_handler_t info;
} shown_t;

/* SIGKILL and SIGSTOP cannot be caught: the real call says so. */
static bool catchable(int sig) { return sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP; }

static bool is_function(cc_sighandler_t h)
{
    return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR && h != SIG_HOLD;
}


/* The address a signal's installations release and its handlers acquire. */
static const void *edge_object(int sig) { return &disp.plain[sig]; }

static void lock(sigset_t *saved)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, saved);
    int self = getpid();
    for (int spins = 0;; spins++) {
        /* Free (0), or taken in the parent before a fork: not ours to wait for. */
        int holder = __atomic_load_n(&disp.lock_pid, __ATOMIC_RELAXED);
        if (holder != self && __atomic_compare_exchange_n(&disp.lock_pid, &holder, self, false,
                                                          __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        if (spins > 64)
            cc_yield();
    }
}

static void unlock(const sigset_t *saved)
{
    __atomic_store_n(&disp.lock_pid, 0, __ATOMIC_RELEASE);
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* Lock held. The handlers a wrapper calls, before this call changes them. */
static shown_t shown_now(int sig) { return (shown_t){disp.plain[sig], disp.info[sig]}; }

/* Lock held. What the kernel reported for sig (*k, the disposition before
 * this call) becomes what the program set. */
static void show_as_set(int sig, struct sigaction *k, const shown_t *was)
{
    if (k->sa_sigaction == wrap_plain) {
        k->sa_handler = was->plain;
    } else if (k->sa_sigaction == wrap_info) {
        k->sa_sigaction = was->info;
    } else if (disp.runtime[sig] && k->sa_handler == disp.runtime[sig]) {
        k->sa_handler = SIG_DFL;
        k->sa_flags = 0;
        sigemptyset(&k->sa_mask);
        k->sa_restorer = NULL;
        return;
    } else if (!(k->sa_handler == SIG_DFL && (k->sa_flags & SA_RESETHAND))) {
        return;
    }
    /* A wrapper, or its one-shot installation reset by a delivery, which
     * leaves the flags as they were. */
    if (disp.siginfo_added[sig])
        k->sa_flags &= ~SA_SIGINFO;
}

/* Lock held. The handler signal() returns. */
static cc_sighandler_t show_handler_as_set(int sig, cc_sighandler_t h)
{
    struct sigaction k;
    k.sa_handler = h;
    k.sa_flags = 0;
    shown_t was = shown_now(sig);
    show_as_set(sig, &k, &was);
    return k.sa_handler;
}

/* Lock held. The program installed something for sig, successfully:
 * whatever the runtime had there is gone. */
static void installed(int sig, bool siginfo_added)
{
    disp.siginfo_added[sig] = siginfo_added;
    __atomic_store_n(&disp.runtime[sig], NULL, __ATOMIC_RELAXED);
}

/* Lock held. Publishes a handler of the program's before the installation
 * that lets the kernel call its wrapper. */
static void publish(int sig, const struct sigaction *program)
{
    if (program->sa_flags & SA_SIGINFO)
        __atomic_store_n(&disp.info[sig], program->sa_sigaction, __ATOMIC_RELEASE);
    else
        __atomic_store_n(&disp.plain[sig], program->sa_handler, __ATOMIC_RELEASE);
}

static void unpublish(int sig, const struct sigaction *program, const shown_t *was)
{
    if (program->sa_flags & SA_SIGINFO)
        __atomic_store_n(&disp.info[sig], was->info, __ATOMIC_RELEASE);
    else
        __atomic_store_n(&disp.plain[sig], was->plain, __ATOMIC_RELEASE);
}

/* The installation of a handler of the program's: what later deliveries
 * acquire. Keeps errno. */
static void release_installation(int sig) { cc_race_hook_release(edge_object(sig), 0, 0); }

int cc_signal_action(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    if (!catchable(sig))
        return CC_REAL(sigaction)(sig, act, oldact);
    /* The program's structs are read before the lock and written after it
     * (see the rules); act is read once, so what is published is what is
     * installed even if another thread changes it meanwhile. */
    struct sigaction program, to_kernel, old;
    bool wrap = false;
    if (act) {
        CC_REAL(memcpy)(&program, act, sizeof program);
        CC_REAL(memcpy)(&to_kernel, &program, sizeof to_kernel);
        wrap = cc_race_on() && is_function(program.sa_handler);
    }
    if (wrap) {
        to_kernel.sa_sigaction = (program.sa_flags & SA_SIGINFO) ? wrap_info : wrap_plain;
        to_kernel.sa_flags |= SA_SIGINFO;
        release_installation(sig);
    }
    /* What libc does not write of oldact (the mask past the kernel's
     * signals) stays as the program had it. */
    if (oldact)
        CC_REAL(memcpy)(&old, oldact, sizeof old);
    sigset_t saved;
    lock(&saved);
    shown_t was = shown_now(sig);
    if (wrap)
        publish(sig, &program);
    int rc = CC_REAL(sigaction)(sig, act ? &to_kernel : NULL, oldact ? &old : NULL);
    int saved_errno = errno;
    if (rc == 0) {
        if (oldact)
            show_as_set(sig, &old, &was);
        if (act)
            installed(sig, wrap && !(program.sa_flags & SA_SIGINFO));
    } else if (wrap) {
        unpublish(sig, &program, &was);
    }
    unlock(&saved);
    if (rc == 0 && oldact)
        CC_REAL(memcpy)(oldact, &old, sizeof old);
    errno = saved_errno;
    return rc;
}

/* Lock held. The real call installed `handler` by libc's own path, with the
 * flags and mask libc chose: the same again, wrapped. A one-shot handler
 * that has run meanwhile is left as the kernel reset it. Between the two,
 * a delivery runs the handler directly, without the edge. */
static void wrap_installed(int sig, cc_sighandler_t handler)
{
    struct sigaction now;
    if (CC_REAL(sigaction)(sig, NULL, &now) != 0 || now.sa_handler != handler ||
        (now.sa_flags & (SA_SIGINFO | SA_RESETHAND)))
        return;
    publish(sig, &now);
    now.sa_sigaction = wrap_plain;
    now.sa_flags |= SA_SIGINFO;
    if (CC_REAL(sigaction)(sig, &now, NULL) == 0)
        disp.siginfo_added[sig] = true;
}

cc_sighandler_t cc_signal_install_via(int sig, cc_sighandler_t handler,
                                      cc_sighandler_t (*real)(int, cc_sighandler_t))
{
    if (!catchable(sig))
        return real(sig, handler);
    bool wrap = cc_race_on() && is_function(handler);
    if (wrap)
        release_installation(sig);
    sigset_t saved;
    lock(&saved);
    cc_sighandler_t old = real(sig, handler);
    int saved_errno = errno;
    if (old != SIG_ERR) {
        old = show_handler_as_set(sig, old);
        installed(sig, false);
        if (wrap)
            wrap_installed(sig, handler);
    }
    unlock(&saved);
    errno = saved_errno;
    return old;
}

/* ---- the wrappers ----------------------------------------------------------- */

/* What a handler's run changed on its thread, to put back afterwards. */
typedef struct handler_scope {
    cc_thread_t *t; /* NULL: nothing changed */
    uint32_t ignore_reads, ignore_writes;
} handler_scope_t;

/* Before the program's handler: it acquires what the installation
 * released, and its accesses are checked even when the signal interrupts
 * an ignore region (a pthread_atfork handler, an annotation): the handler
 * is other code, as TSan also has it. */
static handler_scope_t handler_enter(int sig)
{
    handler_scope_t scope = {NULL, 0, 0};
    if (CC_LIKELY(!cc_race_on()))
        return scope;
    cc_thread_t *t = cc_current_thread;
    if (!t || t->guard || !t->race.active ||
        __atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) != CC_RUNTIME_ON)
        return scope;
    int saved_errno = errno;
    t->guard = 1;
    cc_race_acquire(t, (uint64_t)(uintptr_t)edge_object(sig), CC_SYNC_MAIN);
    t->guard = 0;
    errno = saved_errno;
    scope = (handler_scope_t){t, t->race.ignore_reads, t->race.ignore_writes};
    t->race.ignore_reads = t->race.ignore_writes = 0;
    return scope;
}

/* After it (not reached when the handler jumps out: the region is then
 * checked from there on, which can report more, never crash). */
static void handler_leave(handler_scope_t scope)
{
    if (scope.t) {
        scope.t->race.ignore_reads = scope.ignore_reads;
        scope.t->race.ignore_writes = scope.ignore_writes;
    }
}

static void wrap_plain(int sig, siginfo_t *info, void *uctx)
{
    (void)info;
    (void)uctx;
    handler_scope_t scope = handler_enter(sig);
    cc_sighandler_t handler = __atomic_load_n(&disp.plain[sig], __ATOMIC_ACQUIRE);
    if (CC_LIKELY(handler != NULL))
        handler(sig);
    handler_leave(scope);
}

static void wrap_info(int sig, siginfo_t *info, void *uctx)
{
    handler_scope_t scope = handler_enter(sig);
    info_handler_t handler = __atomic_load_n(&disp.info[sig], __ATOMIC_ACQUIRE);
    if (CC_LIKELY(handler != NULL))
        handler(sig, info, uctx);
    handler_leave(scope);
}

/* ---- the runtime's own handlers ------------------------------------------------ */

bool cc_signal_claim(int sig, void (*handler)(int), int flags, bool block_all)
{
    int saved_errno = errno;
    sigset_t saved;
    lock(&saved);
    bool claimed = false;
    struct sigaction now;
    if (CC_REAL(sigaction)(sig, NULL, &now) == 0 && now.sa_handler == SIG_DFL &&
        !(now.sa_flags & SA_SIGINFO)) {
        struct sigaction sa;
        CC_REAL(memset)(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sa.sa_flags = flags;
        if (block_all)
            sigfillset(&sa.sa_mask);
        if (CC_REAL(sigaction)(sig, &sa, NULL) == 0) {
            __atomic_store_n(&disp.runtime[sig], handler, __ATOMIC_RELAXED);
            claimed = true;
        }
    }
    unlock(&saved);
    errno = saved_errno;
    return claimed;
}

bool cc_signal_claimed(int sig)
{
    return sig > 0 && sig < NSIG && __atomic_load_n(&disp.runtime[sig], __ATOMIC_RELAXED) != NULL;
}
