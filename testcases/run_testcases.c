/* run_testcases: runs each testcase under `ccheck run` and compares its
 * findings with the expectations written in the testcase's own source.
 *
 *   run_testcases --ccheck PATH --bindir DIR --srcdir DIR [options] [CASE...]
 *
 * For every DIR/<name>.c (all of them in sorted order, or only the CASEs
 * named) it runs `PATH run --format json --output FILE -- BINDIR/<name> ARGS`
 * without a shell, kills it (and its process group) after --timeout seconds,
 * and reads the JSON report. The source says what must be found:
 *
 *   ccheck-expect: KIND[,KIND...]  on a line L: at least one finding of each
 *       KIND with a frame, in any of its stacks, whose file's basename is
 *       <name>.c and whose line is L.
 *   ccheck-expect-exit: N    the exit status of `ccheck run` (default: 66 if
 *       the file has any ccheck-expect, else 0).
 *   ccheck-options: K=V:K=V  exported as CCHECK_OPTIONS for this case.
 *   ccheck-args: A B C       arguments for the program (split on blanks).
 *
 * Every finding must match some expectation (same kind, a frame on that
 * line); one that does not is "extra". Every expectation must be matched by
 * some finding, or it is "missing". Either fails the case, as does a wrong
 * exit status, a timeout, or a missing or unparseable report.
 *
 * Output: one line per case on stdout, `PASS <name>` or `FAIL <name>: <why>`,
 * then `N passed, N failed`. When a case fails, what `ccheck run` printed goes
 * to stderr. Exit status: 0 all passed, 1 some failed, 2 bad usage or setup.
 *
 * --json FILE checks an existing report against one CASE without running
 * anything (the exit status is checked only if --exit-status N is given); it
 * is there to test this runner itself.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TC_EXIT_FINDINGS 66 /* ccheck run's status when it reports findings */
#define TC_LOG_TAIL 8192    /* bytes of a failed case's output shown */

/* ---- growable string ---------------------------------------------------- */

typedef struct tc_buf {
    char *s;
    size_t len, cap;
} tc_buf_t;

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fprintf(stderr, "run_testcases: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void buf_printf(tc_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Appends one reason to a "; "-separated list. */
__attribute__((format(printf, 2, 3)))
static void add_reason(tc_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    buf_printf(b, "%s%s", b->len ? "; " : "", msg ? msg : "(out of memory)");
    free(msg);
}

static char *path_join(const char *dir, const char *name)
{
    tc_buf_t b = {0};
    buf_printf(&b, "%s/%s", dir, name);
    return b.s;
}

/* Reads a whole file. Returns NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *data = xrealloc(NULL, cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
        size_t n = fread(data + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    data[len] = '\0';
    *len_out = len;
    return data;
}

/* ---- expectations from the source -------------------------------------- */

typedef struct tc_expect {
    char *kind;
    long line;
} tc_expect_t;

typedef struct tc_case {
    char *name;
    tc_expect_t *expects;
    size_t n_expects, cap_expects;
    int expect_exit; /* -1: the default */
    char *options;   /* CCHECK_OPTIONS, NULL if not given */
    char **args;
    size_t n_args;
    bool have_args;
} tc_case_t;

static void case_free(tc_case_t *tc)
{
    for (size_t i = 0; i < tc->n_expects; i++)
        free(tc->expects[i].kind);
    free(tc->expects);
    for (size_t i = 0; i < tc->n_args; i++)
        free(tc->args[i]);
    free(tc->args);
    free(tc->options);
    free(tc->name);
    memset(tc, 0, sizeof *tc);
}

static int case_expected_exit(const tc_case_t *tc)
{
    if (tc->expect_exit >= 0)
        return tc->expect_exit;
    return tc->n_expects ? TC_EXIT_FINDINGS : 0;
}

/* The value of a directive: from after its colon to the end of the line or
 * the end of the comment, blanks trimmed. */
static char *directive_value(const char *start)
{
    const char *end = strstr(start, "*/");
    if (!end)
        end = start + strcspn(start, "\r\n");
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    return xstrndup(start, (size_t)(end - start));
}

static bool valid_kind(const char *kind)
{
    if (!*kind)
        return false;
    for (const char *p = kind; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

/* Parses one directive line. Returns 0, or -1 with a message in err. */
static int parse_line(const char *path, long lineno, const char *line,
                      tc_case_t *tc, tc_buf_t *err)
{
    const char *p;
    if ((p = strstr(line, "ccheck-expect:"))) {
        char *value = directive_value(p + strlen("ccheck-expect:"));
        char *save = NULL;
        int rc = 0, n = 0;
        for (char *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *kind = directive_value(tok);
            if (!valid_kind(kind)) {
                add_reason(err, "%s:%ld: bad kind \"%s\" in ccheck-expect", path, lineno, kind);
                free(kind);
                rc = -1;
                break;
            }
            if (tc->n_expects == tc->cap_expects) {
                tc->cap_expects = tc->cap_expects ? 2 * tc->cap_expects : 8;
                tc->expects = xrealloc(tc->expects, tc->cap_expects * sizeof *tc->expects);
            }
            tc->expects[tc->n_expects++] = (tc_expect_t){.kind = kind, .line = lineno};
            n++;
        }
        if (rc == 0 && n == 0) {
            add_reason(err, "%s:%ld: ccheck-expect names no kind", path, lineno);
            rc = -1;
        }
        free(value);
        return rc;
    }
    if ((p = strstr(line, "ccheck-expect-exit:"))) {
        char *value = directive_value(p + strlen("ccheck-expect-exit:"));
        char *end = NULL;
        errno = 0;
        long v = strtol(value, &end, 10);
        int rc = 0;
        if (tc->expect_exit >= 0) {
            add_reason(err, "%s:%ld: second ccheck-expect-exit", path, lineno);
            rc = -1;
        } else if (!*value || *end || errno || v < 0 || v > 255) {
            add_reason(err, "%s:%ld: ccheck-expect-exit \"%s\" is not a status 0-255",
                       path, lineno, value);
            rc = -1;
        } else {
            tc->expect_exit = (int)v;
        }
        free(value);
        return rc;
    }
    if ((p = strstr(line, "ccheck-options:"))) {
        if (tc->options) {
            add_reason(err, "%s:%ld: second ccheck-options", path, lineno);
            return -1;
        }
        tc->options = directive_value(p + strlen("ccheck-options:"));
        return 0;
    }
    if ((p = strstr(line, "ccheck-args:"))) {
        if (tc->have_args) {
            add_reason(err, "%s:%ld: second ccheck-args", path, lineno);
            return -1;
        }
        tc->have_args = true;
        char *value = directive_value(p + strlen("ccheck-args:"));
        char *save = NULL;
        for (char *tok = strtok_r(value, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            tc->args = xrealloc(tc->args, (tc->n_args + 1) * sizeof *tc->args);
            tc->args[tc->n_args++] = xstrdup(tok);
        }
        free(value);
        return 0;
    }
    return 0;
}

/* Reads the directives of srcdir/<name>.c. Returns 0, or -1 with err set. */
static int parse_source(const char *srcdir, tc_case_t *tc, tc_buf_t *err)
{
    tc_buf_t path = {0};
    buf_printf(&path, "%s/%s.c", srcdir, tc->name);
    FILE *f = fopen(path.s, "r");
    if (!f) {
        add_reason(err, "%s: cannot open: %s", path.s, strerror(errno));
        free(path.s);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    errno = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0)
        rc = parse_line(path.s, ++lineno, line, tc, err);
    if (rc == 0 && ferror(f)) {
        add_reason(err, "%s: read error: %s", path.s, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    free(path.s);
    return rc;
}

/* ---- the JSON report ---------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static json_object *get_field(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

/* Array field, or NULL if absent or not an array. */
static json_object *get_array(json_object *obj, const char *key)
{
    json_object *v = get_field(obj, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

static const char *get_string(json_object *obj, const char *key)
{
    json_object *v = get_field(obj, key);
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A frame's line, or -1 when null or absent. */
static long frame_line(json_object *frame)
{
    json_object *v = get_field(frame, "line");
    return json_object_is_type(v, json_type_int) ? (long)json_object_get_int64(v) : -1;
}

static bool frame_at(json_object *frame, const char *file, long line)
{
    const char *f = get_string(frame, "file");
    return f && strcmp(base_name(f), file) == 0 && frame_line(frame) == line;
}

/* Calls fn on every frame of every stack of a finding; stops when it
 * returns true and returns true then. */
static bool any_frame(json_object *finding, bool (*fn)(json_object *, const void *),
                      const void *arg)
{
    json_object *stacks = get_array(finding, "stacks");
    size_t n_stacks = stacks ? json_object_array_length(stacks) : 0;
    for (size_t i = 0; i < n_stacks; i++) {
        json_object *frames = get_array(json_object_array_get_idx(stacks, i), "frames");
        size_t n_frames = frames ? json_object_array_length(frames) : 0;
        for (size_t j = 0; j < n_frames; j++)
            if (fn(json_object_array_get_idx(frames, j), arg))
                return true;
    }
    return false;
}

typedef struct tc_site {
    const char *file;
    long line;
} tc_site_t;

static bool frame_at_site(json_object *frame, const void *arg)
{
    const tc_site_t *site = arg;
    return frame_at(frame, site->file, site->line);
}

static bool finding_matches(json_object *finding, const tc_expect_t *e, const char *file)
{
    const char *kind = get_string(finding, "kind");
    tc_site_t site = {file, e->line};
    return kind && strcmp(kind, e->kind) == 0 && any_frame(finding, frame_at_site, &site);
}

static bool first_frame(json_object *frame, const void *arg)
{
    *(json_object **)arg = frame;
    return true;
}

typedef struct tc_lines {
    const char *file;
    tc_buf_t *out;
} tc_lines_t;

static bool collect_line(json_object *frame, const void *arg)
{
    const tc_lines_t *l = arg;
    const char *f = get_string(frame, "file");
    if (f && strcmp(base_name(f), l->file) == 0 && frame_line(frame) >= 0)
        buf_printf(l->out, "%s%ld", l->out->len ? "," : "", frame_line(frame));
    return false;
}

/* "KIND (function file:line)" for an extra finding; when the first frame is
 * not in the testcase, the testcase lines that do appear follow. */
static void describe_extra(json_object *finding, const char *file, tc_buf_t *reasons)
{
    const char *kind = get_string(finding, "kind");
    json_object *frame = NULL;
    any_frame(finding, first_frame, &frame);
    if (!frame) {
        add_reason(reasons, "extra %s (no frames)", kind);
        return;
    }
    const char *fn = get_string(frame, "function");
    const char *ff = get_string(frame, "file");
    long line = frame_line(frame);
    tc_buf_t where = {0};
    buf_printf(&where, "%s %s:", fn ? fn : "?", ff ? base_name(ff) : "?");
    if (line >= 0)
        buf_printf(&where, "%ld", line);
    else
        buf_printf(&where, "?");
    tc_buf_t lines = {0};
    if (!ff || strcmp(base_name(ff), file) != 0)
        any_frame(finding, collect_line, &(tc_lines_t){file, &lines});
    if (lines.len)
        add_reason(reasons, "extra %s (%s; in %s at line %s)", kind, where.s, file, lines.s);
    else
        add_reason(reasons, "extra %s (%s)", kind, where.s);
    free(where.s);
    free(lines.s);
}

/* Parses a report. Returns the root object, or NULL with a reason added. */
static json_object *load_report(const char *path, tc_buf_t *reasons)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        add_reason(reasons, "no JSON report: %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)text[skip]))
        skip++;
    if (skip == len) {
        add_reason(reasons, "%s: empty JSON report", path);
        free(text);
        return NULL;
    }
    if (len > INT_MAX) {
        add_reason(reasons, "%s: JSON report too large (%zu bytes)", path, len);
        free(text);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        add_reason(reasons, "%s: json_tokener_new failed", path);
        free(text);
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (!root) {
        if (jerr == json_tokener_continue)
            add_reason(reasons, "%s: invalid JSON: unexpected end of file", path);
        else
            add_reason(reasons, "%s: invalid JSON at offset %zu: %s", path, end,
                       json_tokener_error_desc(jerr));
    } else {
        while (end < len && isspace((unsigned char)text[end]))
            end++;
        if (end < len) {
            add_reason(reasons, "%s: invalid JSON: trailing data at offset %zu", path, end);
            json_object_put(root);
            root = NULL;
        }
    }
    json_tokener_free(tok);
    free(text);
    return root;
}

/* Checks the shape this runner relies on. Returns 0, or -1 with a reason. */
static int check_shape(const char *path, json_object *root, tc_buf_t *reasons)
{
    if (!json_object_is_type(root, json_type_object)) {
        add_reason(reasons, "%s: report is not a JSON object", path);
        return -1;
    }
    json_object *findings = get_array(root, "findings");
    if (!findings) {
        add_reason(reasons, "%s: report has no \"findings\" array", path);
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(findings); i++) {
        json_object *f = json_object_array_get_idx(findings, i);
        if (!get_string(f, "kind")) {
            add_reason(reasons, "%s: findings[%zu] has no \"kind\" string", path, i);
            return -1;
        }
        json_object *stacks = get_field(f, "stacks");
        if (stacks && !json_object_is_type(stacks, json_type_array)) {
            add_reason(reasons, "%s: findings[%zu].stacks is not an array", path, i);
            return -1;
        }
        for (size_t j = 0; stacks && j < json_object_array_length(stacks); j++) {
            json_object *frames = get_field(json_object_array_get_idx(stacks, j), "frames");
            if (frames && !json_object_is_type(frames, json_type_array)) {
                add_reason(reasons, "%s: findings[%zu].stacks[%zu].frames is not an array",
                           path, i, j);
                return -1;
            }
        }
    }
    return 0;
}

/* Compares a report with a case's expectations, adding a reason for each
 * missing expectation and each extra finding. Returns 0 when they agree. */
static int compare_report(const char *path, const tc_case_t *tc, tc_buf_t *reasons)
{
    json_object *root = load_report(path, reasons);
    if (!root)
        return -1;
    if (check_shape(path, root, reasons) < 0) {
        json_object_put(root);
        return -1;
    }
    char *file = NULL;
    if (asprintf(&file, "%s.c", tc->name) < 0) {
        fprintf(stderr, "run_testcases: out of memory\n");
        exit(2);
    }
    json_object *findings = get_array(root, "findings");
    size_t n = json_object_array_length(findings);
    int rc = 0;
    for (size_t i = 0; i < tc->n_expects; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = finding_matches(json_object_array_get_idx(findings, j), &tc->expects[i], file);
        if (!found) {
            add_reason(reasons, "missing %s at line %ld", tc->expects[i].kind, tc->expects[i].line);
            rc = -1;
        }
    }
    for (size_t j = 0; j < n; j++) {
        json_object *finding = json_object_array_get_idx(findings, j);
        bool found = false;
        for (size_t i = 0; i < tc->n_expects && !found; i++)
            found = finding_matches(finding, &tc->expects[i], file);
        if (!found) {
            describe_extra(finding, file, reasons);
            rc = -1;
        }
    }
    free(file);
    json_object_put(root);
    return rc;
}

/* ---- running ccheck ----------------------------------------------------- */

typedef struct tc_opts {
    const char *ccheck; /* absolute */
    const char *bindir; /* absolute */
    const char *srcdir;
    const char *json;   /* --json mode */
    int exit_status;    /* --exit-status for --json mode, -1 if not given */
    unsigned timeout;   /* seconds */
    bool keep;
} tc_opts_t;

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
        add_reason(reasons, "%s: cannot create: %s", log_path, strerror(errno));
        return -1;
    }
    int pipe_fd[2];
    if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
        add_reason(reasons, "pipe2: %s", strerror(errno));
        close(log_fd);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        add_reason(reasons, "fork: %s", strerror(errno));
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
            add_reason(reasons, "waitpid: %s", strerror(errno));
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
        add_reason(reasons, "cannot run %s: %s", argv[0], strerror(child_err));
        return -1;
    }
    return 0;
}

/* Prints the tail of a failed case's output to stderr. */
static void show_log(const char *name, const char *log_path)
{
    size_t len = 0;
    char *text = read_file(log_path, &len);
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

/* Runs one case in workdir; returns true if it passed, with reasons set
 * otherwise. */
static bool run_case(const tc_opts_t *o, const tc_case_t *tc, const char *workdir,
                     tc_buf_t *reasons)
{
    char *prog = path_join(o->bindir, tc->name);
    char *json_path = path_join(workdir, "report.json");
    char *log_path = path_join(workdir, "output.log");
    bool ok = false;
    if (access(prog, X_OK) < 0) {
        add_reason(reasons, "no testcase program %s: %s", prog, strerror(errno));
        goto out;
    }
    if (mkdir(workdir, 0755) < 0) {
        add_reason(reasons, "%s: cannot create directory: %s", workdir, strerror(errno));
        goto out;
    }
    size_t argc = 0;
    char **argv = xrealloc(NULL, (tc->n_args + 9) * sizeof *argv);
    argv[argc++] = (char *)o->ccheck;
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
    int rc = run_with_timeout(argv, workdir, log_path, tc->options, o->timeout, &status,
                              &timed_out, reasons);
    free(argv);
    if (rc < 0)
        goto out;
    if (timed_out) {
        add_reason(reasons, "timed out after %u s, killed", o->timeout);
    } else {
        int expected = case_expected_exit(tc);
        if (WIFSIGNALED(status))
            add_reason(reasons, "ccheck run killed by signal %d (%s), expected exit status %d",
                       WTERMSIG(status), strsignal(WTERMSIG(status)), expected);
        else if (WEXITSTATUS(status) != expected)
            add_reason(reasons, "exit status %d, expected %d", WEXITSTATUS(status), expected);
        compare_report(json_path, tc, reasons);
    }
    ok = reasons->len == 0;
    if (!ok)
        show_log(tc->name, log_path);
out:
    free(prog);
    free(json_path);
    free(log_path);
    return ok;
}

/* ---- cases and main ----------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every <name>.c in srcdir but this runner, sorted. */
static char **list_cases(const char *srcdir, size_t *n_out)
{
    DIR *dir = opendir(srcdir);
    if (!dir) {
        fprintf(stderr, "run_testcases: %s: cannot open directory: %s\n", srcdir,
                strerror(errno));
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        size_t len = strlen(de->d_name);
        if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0 ||
            strcmp(de->d_name, "run_testcases.c") == 0 || de->d_name[0] == '.')
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrndup(de->d_name, len - 2);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_names);
    *n_out = n;
    return names;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: run_testcases --ccheck PATH --bindir DIR --srcdir DIR [--timeout SEC]\n"
            "                     [--keep] [CASE...]\n"
            "       run_testcases --json REPORT --srcdir DIR [--exit-status N] CASE\n"
            "Runs each testcase DIR/<CASE>.c under `ccheck run` and compares its findings\n"
            "with the ccheck-expect lines of its source. Exit status: 0 all passed,\n"
            "1 some failed, 2 bad usage.\n");
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "run_testcases: %s needs an argument\n", argv[*i]);
        usage(stderr);
        exit(2);
    }
    return argv[++*i];
}

static char *absolute(const char *what, const char *path)
{
    char *abs = realpath(path, NULL);
    if (!abs) {
        fprintf(stderr, "run_testcases: %s %s: %s\n", what, path, strerror(errno));
        exit(2);
    }
    return abs;
}

static long parse_number(const char *opt, const char *s, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max) {
        fprintf(stderr, "run_testcases: %s: \"%s\" is not a number 0-%ld\n", opt, s, max);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    tc_opts_t o = {.exit_status = -1, .timeout = 60};
    const char *ccheck = NULL, *bindir = NULL;
    char **cases = NULL;
    size_t n_cases = 0;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strcmp(a, "--ccheck") == 0) {
            ccheck = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--bindir") == 0) {
            bindir = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--srcdir") == 0) {
            o.srcdir = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            o.json = need_arg(argc, argv, &i);
        } else if (!opts_done && strcmp(a, "--exit-status") == 0) {
            o.exit_status = (int)parse_number(a, need_arg(argc, argv, &i), 255);
        } else if (!opts_done && strcmp(a, "--timeout") == 0) {
            o.timeout = (unsigned)parse_number(a, need_arg(argc, argv, &i), 86400);
        } else if (!opts_done && strcmp(a, "--keep") == 0) {
            o.keep = true;
        } else if (!opts_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            usage(stdout);
            return 0;
        } else if (!opts_done && a[0] == '-') {
            fprintf(stderr, "run_testcases: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            size_t len = strlen(a);
            if (len > 2 && strcmp(a + len - 2, ".c") == 0)
                len -= 2;
            if (len == 0 || memchr(a, '/', len)) {
                fprintf(stderr, "run_testcases: bad case name \"%s\"\n", a);
                return 2;
            }
            cases = xrealloc(cases, (n_cases + 1) * sizeof *cases);
            cases[n_cases++] = xstrndup(a, len);
        }
    }
    if (!o.srcdir || (!o.json && (!ccheck || !bindir)) || (o.json && n_cases != 1)) {
        usage(stderr);
        return 2;
    }
    char *abs_ccheck = NULL, *abs_bindir = NULL, *tmpdir = NULL;
    if (!cases)
        cases = list_cases(o.srcdir, &n_cases);
    if (!o.json) {
        o.ccheck = abs_ccheck = absolute("--ccheck", ccheck);
        o.bindir = abs_bindir = absolute("--bindir", bindir);
        if (access(o.ccheck, X_OK) < 0) {
            fprintf(stderr, "run_testcases: --ccheck %s: %s\n", o.ccheck, strerror(errno));
            return 2;
        }
        const char *t = getenv("TMPDIR");
        tc_buf_t tmpl = {0};
        buf_printf(&tmpl, "%s/run_testcases.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpl.s)) {
            fprintf(stderr, "run_testcases: mkdtemp %s: %s\n", tmpl.s, strerror(errno));
            return 2;
        }
        tmpdir = absolute("temporary directory", tmpl.s);
        free(tmpl.s);
        /* Block SIGCHLD so the wait loop can sigtimedwait for it. */
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &tc_orig_mask);
    }

    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < n_cases; i++) {
        tc_case_t tc = {.name = cases[i], .expect_exit = -1};
        tc_buf_t reasons = {0};
        bool ok = false;
        if (parse_source(o.srcdir, &tc, &reasons) == 0) {
            if (o.json) {
                if (o.exit_status >= 0 && o.exit_status != case_expected_exit(&tc))
                    add_reason(&reasons, "exit status %d, expected %d", o.exit_status,
                               case_expected_exit(&tc));
                compare_report(o.json, &tc, &reasons);
                ok = reasons.len == 0;
            } else {
                char *workdir = path_join(tmpdir, tc.name);
                ok = run_case(&o, &tc, workdir, &reasons);
                free(workdir);
            }
        }
        if (ok)
            printf("PASS %s\n", tc.name);
        else
            printf("FAIL %s: %s\n", tc.name, reasons.s);
        fflush(stdout);
        if (ok)
            passed++;
        else
            failed++;
        free(reasons.s);
        case_free(&tc); /* frees cases[i] too */
    }
    printf("%u passed, %u failed\n", passed, failed);
    if (tmpdir) {
        if (o.keep)
            fprintf(stderr, "run_testcases: reports and output kept in %s\n", tmpdir);
        else
            nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(cases);
    free(tmpdir);
    free(abs_ccheck);
    free(abs_bindir);
    return failed ? 1 : 0;
}
