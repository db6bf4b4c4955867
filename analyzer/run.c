/* `ccheck run [report options] [--] PROG ARGS...`: runs PROG with the
 * runtime preloaded and its traces in a private directory (children that
 * fork or exec inherit both), then reports on every trace it left. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "xalloc.h"

/* libccheck.so: $CCHECK_LIBRARY, else beside the ccheck executable (the
 * build tree), else ../lib beside it (an install). */
static char *find_runtime(void)
{
    const char *env = getenv("CCHECK_LIBRARY");
    if (env && *env)
        return access(env, R_OK) == 0 ? cc_xstrdup(env) : NULL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    const char *candidates[] = {"%s/libccheck.so", "%s/../lib/libccheck.so",
                                "%s/../lib/" CCHECK_MULTIARCH "/libccheck.so"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        char *path = cc_xasprintf(candidates[i], self);
        if (access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

/* NAME=prefix + old value joined by sep, or prefix alone. */
static void prepend_env(const char *name, const char *prefix, const char *sep)
{
    const char *old = getenv(name);
    char *value = old && *old ? cc_xasprintf("%s%s%s", prefix, sep, old) : cc_xstrdup(prefix);
    setenv(name, value, 1);
    free(value);
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.trace files in dir, sorted. */
static char **list_traces(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 8;
    char **paths = cc_xcalloc(cap, sizeof *paths);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 6, ".trace") != 0)
            continue;
        if (*n == cap)
            paths = cc_xrealloc(paths, (cap *= 2) * sizeof *paths);
        paths[(*n)++] = cc_xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(paths, *n, sizeof *paths, cmp_paths);
    return paths;
}

static void remove_dir(const char *dir, char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        unlink(paths[i]);
    if (rmdir(dir) != 0)
        fprintf(stderr, "ccheck: note: left %s behind (it is not empty)\n", dir);
}

/* Runs argv with the environment already set; returns its wait status, or
 * -1 if it could not be started. */
static volatile sig_atomic_t running_pid;

/* SIGTERM or SIGHUP (a CI job cancelled, `timeout`): passed on to the
 * program, and ccheck stays to report on what it did. */
static void forward_signal(int sig)
{
    if (running_pid > 0)
        kill((pid_t)running_pid, sig);
}

static int run_program(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ccheck: cannot fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "ccheck: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(CC_EXIT_CANNOT_RUN);
    }
    /* Like a shell waiting for a job: ^C goes to the program, and ccheck
     * stays to report on what it did. */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    struct sigaction forward = {.sa_handler = forward_signal}, old_term, old_hup;
    running_pid = pid;
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    sigaction(SIGTERM, &forward, &old_term);
    sigaction(SIGHUP, &forward, &old_hup);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    running_pid = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    return status;
}

static int program_exit_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

int cc_cmd_run(int argc, char **argv)
{
    cc_report_options_t options = {.format = CC_FORMAT_TEXT, .exitcode = CC_EXIT_FINDINGS};
    const char *trace_dir = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strncmp(argv[i], "--trace-dir", 11) == 0 && (argv[i][11] == 0 || argv[i][11] == '=')) {
            trace_dir = argv[i][11] == '=' ? argv[i] + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!trace_dir) {
                fprintf(stderr, "ccheck: --trace-dir needs a value (see `ccheck help`)\n");
                return CC_EXIT_USAGE;
            }
            continue;
        }
        int rc = cc_parse_report_option(&options, argc, argv, &i);
        if (rc < 0)
            return CC_EXIT_USAGE;
        if (rc == 0 && argv[i][0] == '-') {
            fprintf(stderr, "ccheck: run: unknown option '%s' (see `ccheck help`)\n", argv[i]);
            return CC_EXIT_USAGE;
        }
        if (rc == 0)
            break; /* the program */
    }
    if (i >= argc) {
        fprintf(stderr, "ccheck: run: name the program to run (see `ccheck help`)\n");
        return CC_EXIT_USAGE;
    }
    char *runtime = find_runtime();
    if (!runtime) {
        fprintf(stderr, "ccheck: cannot find libccheck.so beside the ccheck executable; set "
                        "CCHECK_LIBRARY to its path\n");
        return CC_EXIT_USAGE;
    }
    char *dir;
    if (trace_dir) {
        if (mkdir(trace_dir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "ccheck: cannot create %s: %s\n", trace_dir, strerror(errno));
            free(runtime);
            return CC_EXIT_USAGE;
        }
        dir = cc_xstrdup(trace_dir);
    } else {
        const char *tmp = getenv("TMPDIR");
        dir = cc_xasprintf("%s/ccheck-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            fprintf(stderr, "ccheck: cannot create a directory for traces (%s): %s\n", dir,
                    strerror(errno));
            free(dir);
            free(runtime);
            return CC_EXIT_USAGE;
        }
    }
    prepend_env("LD_PRELOAD", runtime, ":");
    /* The runtime's own "trace written" line would only repeat what the
     * report says; the user's own CCHECK_OPTIONS come after and win. */
    prepend_env("CCHECK_OPTIONS", "verbosity=0", ":");
    setenv("CCHECK_DIR", dir, 1);
    free(runtime);

    int wait_status = run_program(argv + i);
    unsetenv("LD_PRELOAD");
    size_t n_traces;
    char **traces = list_traces(dir, &n_traces);
    int status;
    if (wait_status < 0) {
        status = CC_EXIT_CANNOT_RUN;
    } else if (n_traces == 0) {
        fprintf(stderr, "ccheck: %s left no trace: was it started? (a static or setuid program "
                        "cannot take the preloaded runtime)\n", argv[i]);
        status = program_exit_status(wait_status);
    } else {
        status = cc_report_traces(&options, traces, n_traces, stderr);
        if (status == CC_EXIT_CLEAN)
            status = program_exit_status(wait_status);
    }
    if (!trace_dir)
        remove_dir(dir, traces, n_traces);
    for (size_t k = 0; k < n_traces; k++)
        free(traces[k]);
    free(traces);
    free(dir);
    return status;
}
