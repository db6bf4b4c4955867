/* Runtime start-up and the ends of a process: exit, fork, fatal signals.
 *
 * Rules:
 *  - The constructor runs before main on the initial thread. Interposed
 *    calls that come before it pass straight through (cc_enter returns NULL
 *    while the runtime is off).
 *  - Fork: the prepare handler takes every runtime spinlock so the child
 *    never inherits one held by a thread that does not exist there; the
 *    child then opens a trace of its own. pthread_atfork runs our prepare
 *    handler last and our child handler first, since we register first.
 *  - Fatal signals: a handler is installed only where the program left the
 *    default action, and it restores the default and re-raises, so the
 *    process dies as it would have. The program sees the default action
 *    there (runtime/signals.c). A handler the program installs later
 *    replaces ours (its own exit path, _exit, still ends the trace). */
#include "runtime.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lock_table.h"
#include "options.h"
#include "real.h"
#include "signals.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"
#include "util.h"
#include "watchdog.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
                                    SIGTERM, SIGINT, SIGQUIT, SIGHUP};

static void on_fatal_signal(int sig)
{
    cc_trace_end(CC_END_SIGNAL, sig);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    CC_REAL(sigaction)(sig, &dfl, NULL);
    /* A fault re-executes and dies; an asynchronous signal is re-sent. */
    syscall(SYS_tgkill, getpid(), cc_gettid(), sig);
}

static void install_signal_handlers(void)
{
    for (size_t i = 0; i < CC_ARRAY_SIZE(fatal_signals); i++)
        cc_signal_claim(fatal_signals[i], on_fatal_signal, SA_NODEFER | SA_RESTART, false);
}

static void fork_prepare(void)
{
    cc_registry_fork_prepare();
    cc_race_fork_prepare(); /* after the registry: hb.c takes its locks under it */
    cc_modules_fork_prepare();
    cc_arena_fork_prepare();
}

static void fork_parent(void)
{
    cc_arena_fork_release();
    cc_modules_fork_release();
    cc_race_fork_release();
    cc_registry_fork_release();
}

static void fork_child(void)
{
    fork_parent();
    /* Race detection's locks that other threads held are freed, and their
     * slots given back, whatever becomes of the trace. */
    if (__atomic_load_n(&cc_race_enabled, __ATOMIC_RELAXED))
        cc_race_after_fork_child(cc_current_thread);
    if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) != CC_RUNTIME_ON)
        return;
    cc_thread_t *t = cc_current_thread;
    if (t)
        t->guard = 1;
    if (cc_trace_open(CC_ORIGIN_FORK) != 0) {
        /* The child runs untouched; the hot path relies on it having no
         * thread state (see runtime/lock_hot_path.h). */
        __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELAXED);
        cc_current_thread = NULL;
        return;
    }
    cc_threads_after_fork_child();
    cc_watchdog_after_fork_child();
    if (t)
        t->guard = 0;
}

__attribute__((constructor(101))) static void runtime_init(void)
{
    cc_options_init(getenv("CCHECK_OPTIONS"));
    cc_real_resolve_all();
    cc_lock_table_init();
    cc_stack_init();
    if (cc_trace_open(CC_ORIGIN_START) != 0)
        return; /* told the user; the program runs untouched */
    cc_threads_init();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    install_signal_handlers();
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
}

void cc_runtime_end(cc_end_reason_t reason, int status)
{
    cc_thread_t *t = cc_current_thread;
    /* Only outside the runtime: the registry lock may be held below us. */
    if (t && !t->guard && __atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) == CC_RUNTIME_ON) {
        t->guard = 1;
        cc_threads_write_waiting(cc_opt.exit_grace_ms);
        t->guard = 0;
    }
    cc_trace_end(reason, status);
}

/* Runs in exit(), after the program's atexit handlers and destructors (a
 * preloaded library is finalised last). Threads still running now are cut
 * off. */
__attribute__((destructor)) static void runtime_fini(void)
{
    if (__atomic_load_n(&cc_runtime_state, __ATOMIC_RELAXED) == CC_RUNTIME_ON)
        cc_runtime_end(CC_END_EXIT, 0);
}
