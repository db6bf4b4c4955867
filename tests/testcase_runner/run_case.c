/* Running one testcase under `ccheck run`. See run_case.h.
 *
 * Rules:
 *  - SIGCHLD stays blocked in the runner from tc_run_begin on: the wait
 *    loop sleeps in sigtimedwait until it is pending. The child restores
 *    the original mask before exec, since a blocked mask survives exec.
 *  - Between fork and exec the child makes only async-signal-safe calls,
 *    and setenv, which is fine because the runner has a single thread.
 *  - ccheck and everything it starts live in one process group, the
 *    child's own, and the whole group is killed when the case ends. */
#include "run_case.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#define TC_LOG_TAIL 8192 /* bytes of a failed case's output shown */

static sigset_t tc_orig_mask;

/* In the child, between fork and exec: only async-signal-safe calls, and
 * setenv, which is fine because this process has a single thread. On
 * failure, the errno goes to the parent through the close-on-exec pipe. */
static void exec_child(char **argv, const char *workdir, int log_fd, int err_fd,
                       const char *options)
{
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int err = 0;
    /* Its own process group, so a timeout kills the program too. */
    if (setpgid(0, 0) < 0 || null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 ||
        dup2(log_fd, 2) < 0 || chdir(workdir) < 0)
        err = errno;
    if (!err && options && setenv("CCHECK_OPTIONS", options, 1) < 0)
        err = errno;
    if (!err) {
        /* SIGCHLD is blocked in the runner; a blocked mask survives exec. */
        sigprocmask(SIG_SETMASK, &tc_orig_mask, NULL);
        execv(argv[0], argv);
        err = errno;
    }
    if (write(err_fd, &err, sizeof err) < 0) {
        /* nothing more to tell */
    }
    _exit(127);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv with a timeout. Returns 0 with *status as from waitpid and
 * *timed_out, or -1 with a reason (could not start it). */
static int run_with_timeout(char **argv, const char *workdir, const char *log_path,
                            const char *options, unsigned timeout, int *status,
                            bool *timed_out, tc_buf_t *reasons)
{
    *timed_out = false;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        tc_add_reason(reasons, "%s: cannot create: %s", log_path, strerror(errno));
        return -1;
    }
    int pipe_fd[2];
    if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
        tc_add_reason(reasons, "pipe2: %s", strerror(errno));
        close(log_fd);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        tc_add_reason(reasons, "fork: %s", strerror(errno));
        close(log_fd);
        close(pipe_fd[0]);
        close(pipe_fd[1]);
        return -1;
    }
    if (pid == 0)
        exec_child(argv, workdir, log_fd, pipe_fd[1], options);
    setpgid(pid, pid); /* also here, so a kill below cannot miss the group */
    close(log_fd);
    close(pipe_fd[1]);
    int child_err = 0;
    ssize_t got;
    do
        got = read(pipe_fd[0], &child_err, sizeof child_err);
    while (got < 0 && errno == EINTR);
    close(pipe_fd[0]);

    double deadline = now_seconds() + timeout;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            tc_add_reason(reasons, "waitpid: %s", strerror(errno));
            kill(-pid, SIGKILL);
            return -1;
        }
        double left = deadline - now_seconds();
        if (left <= 0) {
            *timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        /* SIGCHLD is blocked: wait for it to be pending, or time out. */
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
    /* Whatever ccheck left behind in its process group (a program it lost
     * track of) must not outlive the case. The group id cannot be reused
     * while any member is alive, so this reaches only our own processes. */
    kill(-pid, SIGKILL);
    if (got == (ssize_t)sizeof child_err) {
        tc_add_reason(reasons, "cannot run %s: %s", argv[0], strerror(child_err));
        return -1;
    }
    return 0;
}

/* Prints the tail of a failed case's output to stderr. */
static void show_log(const char *name, const char *log_path)
{
    size_t len = 0;
    char *text = tc_read_file(log_path, &len);
    if (!text || len == 0) {
        free(text);
        return;
    }
    size_t start = len > TC_LOG_TAIL ? len - TC_LOG_TAIL : 0;
    fprintf(stderr, "---- output of ccheck run for %s%s ----\n", name,
            start ? " (last part)" : "");
    fwrite(text + start, 1, len - start, stderr);
    if (text[len - 1] != '\n')
        fputc('\n', stderr);
    fprintf(stderr, "---- end of output for %s ----\n", name);
    free(text);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

char *tc_run_begin(void)
{
    const char *t = getenv("TMPDIR");
    tc_buf_t tmpl = {0};
    tc_buf_printf(&tmpl, "%s/run_testcases.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpl.s)) {
        fprintf(stderr, "run_testcases: mkdtemp %s: %s\n", tmpl.s, strerror(errno));
        exit(2);
    }
    char *tmpdir = tc_absolute("temporary directory", tmpl.s);
    free(tmpl.s);
    /* Block SIGCHLD so the wait loop can sigtimedwait for it. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &tc_orig_mask);
    return tmpdir;
}

tc_outcome_t tc_run_case(const tc_run_t *run, const tc_case_t *tc, const char *tmpdir,
                         tc_buf_t *reasons)
{
    char *workdir = tc_path_join(tmpdir, tc->name);
    char *prog = tc_path_join(run->bindir, tc->name);
    char *json_path = tc_path_join(workdir, "report.json");
    char *log_path = tc_path_join(workdir, "output.log");
    tc_outcome_t outcome = TC_FAILED;
    if (access(prog, X_OK) < 0) {
        tc_add_reason(reasons, "no testcase program %s: %s", prog, strerror(errno));
        goto out;
    }
    if (mkdir(workdir, 0755) < 0) {
        tc_add_reason(reasons, "%s: cannot create directory: %s", workdir, strerror(errno));
        goto out;
    }
    size_t argc = 0;
    char **argv = tc_xrealloc(NULL, (tc->n_args + 9) * sizeof *argv);
    argv[argc++] = (char *)run->ccheck;
    argv[argc++] = "run";
    argv[argc++] = "--format";
    argv[argc++] = "json";
    argv[argc++] = "--output";
    argv[argc++] = json_path;
    argv[argc++] = "--";
    argv[argc++] = prog;
    for (size_t i = 0; i < tc->n_args; i++)
        argv[argc++] = tc->args[i];
    argv[argc] = NULL;

    int status = 0;
    bool timed_out = false;
    int rc = run_with_timeout(argv, workdir, log_path, tc->options, run->timeout, &status,
                              &timed_out, reasons);
    free(argv);
    if (rc < 0)
        goto out;
    if (timed_out) {
        tc_add_reason(reasons, "timed out after %u s, killed", run->timeout);
    } else {
        int exit_status = -1; /* none to check when killed by a signal */
        if (WIFSIGNALED(status))
            tc_add_reason(reasons, "ccheck run killed by signal %d (%s), expected exit status %d",
                          WTERMSIG(status), strsignal(WTERMSIG(status)),
                          tc_case_expected_exit(tc));
        else
            exit_status = WEXITSTATUS(status);
        if (tc_case_skipped(tc, exit_status)) {
            outcome = TC_SKIPPED;
            goto out;
        }
        tc_check_outcome(tc, exit_status, json_path, reasons);
    }
    outcome = reasons->len == 0 ? TC_PASSED : TC_FAILED;
    if (outcome == TC_FAILED)
        show_log(tc->name, log_path);
out:
    free(workdir);
    free(prog);
    free(json_path);
    free(log_path);
    return outcome;
}

void tc_run_end(const char *tmpdir, bool keep)
{
    if (keep)
        fprintf(stderr, "run_testcases: reports and output kept in %s\n", tmpdir);
    else
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
