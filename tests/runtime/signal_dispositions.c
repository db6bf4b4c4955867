/* Signal dispositions under the preload: what sigaction, signal and
 * sysv_signal report and do must be what they are without ccheck. Every
 * check runs twice: with race detection off, when the runtime passes the
 * program's handlers through, and then with it on (turned on halfway
 * through with __tsan_init, as an instrumented object's constructor would),
 * when the runtime installs them behind a wrapper. Run without the preload,
 * the second round is skipped. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"

/* glibc adds the kernel's SA_RESTORER to every handler it installs, and
 * reports it back in sa_flags. */
#define LIBC_RESTORER_FLAG 0x04000000


static volatile sig_atomic_t a_runs, b_runs, last_sig;

static void handler_a(int sig)
{
    a_runs++;
    last_sig = sig;
}

static void handler_b(int sig)
{
    b_runs++;
    last_sig = sig;
}

static struct {
    volatile sig_atomic_t runs, sig, signo, code, value, has_context;
} info_seen;

static void handler_info(int sig, siginfo_t *info, void *uctx)
{
    info_seen.runs++;
    info_seen.sig = sig;
    info_seen.signo = info->si_signo;
    info_seen.code = info->si_code;
    info_seen.value = info->si_value.sival_int;
    info_seen.has_context = uctx != NULL;
}

static struct sigaction action(void (*handler)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sa;
}

/* The second round must exercise the wrapper: the handler the kernel
 * holds, read with the raw system call (which the preload does not see),
 * is then not the program's. */
static bool wrapped_round;

static void *kernel_handler(int sig)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } k;
    return syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof k.mask) == 0 ? k.handler : NULL;
}

static unsigned flags_as_set(const struct sigaction *sa)
{
    return (unsigned)sa->sa_flags & ~(unsigned)LIBC_RESTORER_FLAG;
}

/* Install A, then B: oldact is A as it was set; SIG_IGN and SIG_DFL come
 * back as themselves. */
static void oldact_round_trips(void)
{
    struct sigaction a = action(handler_a, SA_RESTART), b = action(handler_b, 0), old;
    sigaddset(&a.sa_mask, SIGUSR2);
    sigaddset(&a.sa_mask, SIGTERM);
    CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
    CHECK(sigaction(SIGUSR1, &b, &old) == 0);
    CHECK(old.sa_handler == handler_a);
    CHECK(flags_as_set(&old) == SA_RESTART);
    CHECK(sigismember(&old.sa_mask, SIGUSR2) && sigismember(&old.sa_mask, SIGTERM));
    CHECK(!sigismember(&old.sa_mask, SIGHUP));
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == handler_b &&
          flags_as_set(&old) == 0);
    CHECK((kernel_handler(SIGUSR1) == (void *)handler_b) == !wrapped_round);
    int before = b_runs;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(b_runs == before + 1 && last_sig == SIGUSR1);

    struct sigaction ign = action(SIG_IGN, 0), dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR1, &ign, &old) == 0 && old.sa_handler == handler_b);
    before = b_runs;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(b_runs == before);
    CHECK(sigaction(SIGUSR1, &a, &old) == 0 && old.sa_handler == SIG_IGN);
    CHECK(sigaction(SIGUSR1, &dfl, &old) == 0 && old.sa_handler == handler_a &&
          flags_as_set(&old) == SA_RESTART);
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
}

/* An SA_SIGINFO handler gets the signal number, its siginfo and the
 * context; oldact shows it with SA_SIGINFO. */
static void siginfo_handler(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler_info;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
    int before = info_seen.runs;
    CHECK(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 77}) == 0);
    CHECK(info_seen.runs == before + 1);
    CHECK(info_seen.sig == SIGUSR2 && info_seen.signo == SIGUSR2);
    CHECK(info_seen.code == SI_QUEUE && info_seen.value == 77 && info_seen.has_context);
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR2, &dfl, &old) == 0);
    CHECK(old.sa_sigaction == handler_info && flags_as_set(&old) == SA_SIGINFO);
}

/* errno set by a handler is what the interrupted code sees afterwards, as
 * without ccheck (raise makes no call that sets it after the handler). */
static void handler_sets_errno(int sig)
{
    (void)sig;
    errno = 4242;
}

static void handler_errno(void)
{
    struct sigaction sa = action(handler_sets_errno, 0);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    errno = 0;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(errno == 4242);
    /* And a successful sigaction leaves errno alone. */
    errno = 77;
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR1, &dfl, NULL) == 0 && errno == 77);
}

static void uncatchable_and_invalid(void)
{
    struct sigaction a = action(handler_a, 0), old;
    int sigs[] = {SIGKILL, SIGSTOP, 0, -1, NSIG, NSIG + 10};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        errno = 0;
        CHECK(sigaction(sigs[i], &a, NULL) == -1 && errno == EINVAL);
        errno = 0;
        CHECK(signal(sigs[i], handler_a) == SIG_ERR && errno == EINVAL);
    }
    CHECK(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
}

/* signal() returns the previous handler, whoever installed it. */
static void signal_returns_previous(void)
{
    CHECK(signal(SIGUSR1, handler_a) == SIG_DFL);
    CHECK(signal(SIGUSR1, handler_b) == handler_a);
    int before = b_runs;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(b_runs == before + 1);
    /* glibc's signal(): BSD semantics, the signal masked in its handler. */
    struct sigaction old;
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == handler_b);
    CHECK(flags_as_set(&old) == SA_RESTART && sigismember(&old.sa_mask, SIGUSR1));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler_info;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    /* signal() returns it as the union's other member. */
    CHECK(signal(SIGUSR1, SIG_DFL) == sa.sa_handler);
    CHECK(signal(SIGUSR1, SIG_DFL) == SIG_DFL);
}

/* A one-shot handler runs once, then the default action (ignore, for
 * SIGURG) is back, with the flags as they were set. */
static void one_shot(void)
{
    struct sigaction a = action(handler_a, SA_RESETHAND), old;
    CHECK(sigaction(SIGURG, &a, NULL) == 0);
    int before = a_runs;
    CHECK(raise(SIGURG) == 0 && raise(SIGURG) == 0);
    CHECK(a_runs == before + 1);
    CHECK(sigaction(SIGURG, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
    CHECK(flags_as_set(&old) == SA_RESETHAND);

    CHECK(sysv_signal(SIGURG, handler_b) == SIG_DFL);
    before = b_runs;
    CHECK(raise(SIGURG) == 0 && raise(SIGURG) == 0);
    CHECK(b_runs == before + 1);
    CHECK(sigaction(SIGURG, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
    /* (glibc also passes SA_INTERRUPT, a bit the kernel drops.) */
    CHECK(flags_as_set(&old) == (SA_RESETHAND | SA_NODEFER));
}

/* SA_NODEFER lets the handler be interrupted by its own signal; without
 * it the second delivery waits for the first to return. */
static volatile sig_atomic_t depth, max_depth, nested_runs;

static void handler_reraises(int sig)
{
    nested_runs++;
    if (++depth > max_depth)
        max_depth = depth;
    if (nested_runs == 1)
        raise(sig);
    depth--;
}

static void nodefer(void)
{
    int flags[] = {SA_NODEFER, 0};
    int expected_depth[] = {2, 1};
    for (int i = 0; i < 2; i++) {
        struct sigaction sa = action(handler_reraises, flags[i]);
        CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
        depth = max_depth = nested_runs = 0;
        CHECK(raise(SIGUSR2) == 0);
        CHECK(nested_runs == 2 && max_depth == expected_depth[i]);
    }
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR2, &dfl, NULL) == 0);
}

/* sigaction from inside a handler. */
static volatile sig_atomic_t inner_old_was_a, inner_ok;

static void handler_installs(int sig)
{
    (void)sig;
    struct sigaction b = action(handler_b, 0), old;
    inner_ok = sigaction(SIGUSR2, &b, &old) == 0;
    inner_old_was_a = old.sa_handler == handler_a;
    int before = b_runs;
    raise(SIGUSR2);
    inner_ok = inner_ok && b_runs == before + 1;
}

static void sigaction_in_handler(void)
{
    struct sigaction a = action(handler_a, 0), outer = action(handler_installs, 0);
    CHECK(sigaction(SIGUSR2, &a, NULL) == 0);
    CHECK(sigaction(SIGUSR1, &outer, NULL) == 0);
    inner_ok = inner_old_was_a = 0;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(inner_ok && inner_old_was_a);
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR1, &dfl, NULL) == 0 && sigaction(SIGUSR2, &dfl, NULL) == 0);
}

/* The runtime's own handlers (fatal signals) are not the program's: it
 * sees the default action it never changed. */
static void runtime_handlers_hidden(void)
{
    int sigs[] = {SIGSEGV, SIGTERM, SIGINT, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        CHECK(sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
              old.sa_flags == 0);
    }
}

/* Handlers of both forms installed, ignored and replaced on one thread
 * while another is sent the signal over and over: every handler that runs
 * is one of the program's, called in its own form. */
static atomic_int stop, wrong_calls, deliveries;

static void storm_plain(int sig)
{
    if (sig != SIGUSR2)
        atomic_fetch_add(&wrong_calls, 1);
    atomic_fetch_add(&deliveries, 1);
}

static void storm_info(int sig, siginfo_t *info, void *uctx)
{
    if (sig != SIGUSR2 || !info || info->si_signo != SIGUSR2 || !uctx)
        atomic_fetch_add(&wrong_calls, 1);
    atomic_fetch_add(&deliveries, 1);
}

static void *storm_target(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        ;
    return NULL;
}

static void *storm_installer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        struct sigaction sa = action(i % 3 == 2 ? SIG_IGN : storm_plain, 0);
        if (i % 3 == 1) {
            sa.sa_sigaction = storm_info;
            sa.sa_flags = SA_SIGINFO;
        }
        if (sigaction(SIGUSR2, &sa, NULL) != 0)
            atomic_fetch_add(&wrong_calls, 1);
    }
    return NULL;
}

static void storm(void)
{
    struct sigaction sa = action(storm_plain, 0);
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
    atomic_store(&stop, 0);
    pthread_t target, installer;
    CHECK(pthread_create(&target, NULL, storm_target, NULL) == 0);
    CHECK(pthread_create(&installer, NULL, storm_installer, NULL) == 0);
    for (int i = 0; i < 20000; i++)
        pthread_kill(target, SIGUSR2);
    CHECK(pthread_join(installer, NULL) == 0);
    struct sigaction ign = action(SIG_IGN, 0);
    CHECK(sigaction(SIGUSR2, &ign, NULL) == 0);
    atomic_store(&stop, 1);
    CHECK(pthread_join(target, NULL) == 0);
    CHECK(atomic_load(&wrong_calls) == 0 && atomic_load(&deliveries) > 0);
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR2, &dfl, NULL) == 0);
}

/* A fork child keeps the handlers: they run there, and oldact still shows
 * the program's. */
static void fork_keeps_handlers(void)
{
    struct sigaction a = action(handler_a, 0), b = action(handler_b, 0);
    CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
    pid_t child = fork();
    if (child == 0) {
        int before = a_runs;
        struct sigaction old;
        int ok = raise(SIGUSR1) == 0 && a_runs == before + 1 &&
                 sigaction(SIGUSR1, &b, &old) == 0 && old.sa_handler == handler_a;
        before = b_runs;
        ok = ok && raise(SIGUSR1) == 0 && b_runs == before + 1;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct sigaction dfl = action(SIG_DFL, 0);
    CHECK(sigaction(SIGUSR1, &dfl, NULL) == 0);
}

static void run_all(void)
{
    oldact_round_trips();
    siginfo_handler();
    handler_errno();
    uncatchable_and_invalid();
    signal_returns_previous();
    one_shot();
    nodefer();
    sigaction_in_handler();
    runtime_handlers_hidden();
    storm();
    fork_keeps_handlers();
}

int main(void)
{
    run_all();
    if (race_detection_on()) {
        wrapped_round = true;
        run_all();
    }
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
