/* Command dispatch and `ccheck report`. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "xalloc.h"

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "ccheck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see `ccheck help`)\n");
    return -1;
}

int cc_parse_report_option(cc_report_options_t *options, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *value = NULL;
    const char *names[] = {"--format", "--output", "--exitcode", "--suppress-threads-from"};
    size_t which;
    for (which = 0; which < 4; which++) {
        size_t len = strlen(names[which]);
        if (strncmp(arg, names[which], len) == 0 && (arg[len] == 0 || arg[len] == '='))
            break;
    }
    if (which == 4)
        return 0;
    const char *eq = strchr(arg, '=');
    if (eq)
        value = eq + 1;
    else if (*i + 1 < argc)
        value = argv[++*i];
    else
        return usage_error("%s needs a value", names[which]);
    switch (which) {
    case 0:
        if (strcmp(value, "text") == 0)
            options->format = CC_FORMAT_TEXT;
        else if (strcmp(value, "json") == 0)
            options->format = CC_FORMAT_JSON;
        else if (strcmp(value, "sarif") == 0)
            options->format = CC_FORMAT_SARIF;
        else
            return usage_error("unknown format '%s': use text, json or sarif", value);
        return 1;
    case 1:
        options->output = value;
        return 1;
    case 3:
        if (!*value)
            return usage_error("%s wants a part of a module path, such as libfoo.so",
                               names[which]);
        if (options->n_suppress_threads == CC_MAX_SUPPRESS_THREADS)
            return usage_error("%s may be given at most 32 times", names[which]);
        options->suppress_threads[options->n_suppress_threads++] = value;
        return 1;
    default: {
        char *end;
        errno = 0;
        long code = strtol(value, &end, 10);
        if (errno || *end || end == value || code < 0 || code > 255)
            return usage_error("--exitcode wants a number from 0 to 255, not '%s'", value);
        options->exitcode = (int)code;
        return 1;
    }
    }
}

static void warn_partial(const cc_trace_t *t)
{
    if (t->truncated)
        fprintf(stderr,
                "ccheck: warning: %s: trace is truncated after %llu whole records (at byte "
                "%llu); the report covers only what was written before the cut\n",
                t->path, (unsigned long long)t->records, (unsigned long long)t->valid_bytes);
    if (t->unknown_records)
        fprintf(stderr,
                "ccheck: warning: %s: skipped %llu records of kinds this ccheck does not know "
                "(written by a newer runtime?)\n",
                t->path, (unsigned long long)t->unknown_records);
}

static int write_report(const cc_report_options_t *options, const cc_report_t *report,
                        FILE *default_out)
{
    FILE *out = default_out;
    if (options->output && !(out = fopen(options->output, "w"))) {
        fprintf(stderr, "ccheck: cannot write %s: %s\n", options->output, strerror(errno));
        return -1;
    }
    int rc = options->format == CC_FORMAT_JSON    ? cc_output_json(report, out)
             : options->format == CC_FORMAT_SARIF ? cc_output_sarif(report, out)
                                                  : cc_output_text(report, out);
    if (rc != 0 || fflush(out) != 0)
        fprintf(stderr, "ccheck: cannot write the report to %s: %s\n",
                options->output ? options->output : "the output", strerror(errno));
    if (out != default_out && fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "ccheck: cannot write %s: %s\n", options->output, strerror(errno));
        rc = -1;
    }
    return rc;
}

int cc_report_traces(const cc_report_options_t *options, char **paths, size_t n_paths,
                     FILE *default_out)
{
    cc_trace_t *traces = cc_xcalloc(n_paths, sizeof *traces);
    int status = CC_EXIT_CLEAN;
    size_t loaded = 0;
    for (; loaded < n_paths; loaded++) {
        char err[1024];
        if (cc_trace_load(paths[loaded], &traces[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "ccheck: %s\n", err);
            status = CC_EXIT_USAGE;
            loaded++;
            break;
        }
        warn_partial(&traces[loaded]);
    }
    if (status == CC_EXIT_CLEAN) {
        cc_report_t report = {.tool_version = CCHECK_VERSION};
        report.traces = cc_xcalloc(n_paths, sizeof *report.traces);
        report.n_traces = n_paths;
        for (size_t i = 0; i < n_paths; i++) {
            report.traces[i] = (cc_report_trace_t){
                .path = cc_xstrdup(traces[i].path), .pid = traces[i].pid,
                .exe = cc_xstrdup(traces[i].exe), .truncated = traces[i].truncated,
                .complete = traces[i].has_end};
        }
        cc_analysis_t analysis;
        cc_analysis_init(&analysis, traces, n_paths, &report);
        analysis.suppress_threads = options->suppress_threads;
        analysis.n_suppress_threads = options->n_suppress_threads;
        cc_analyze(&analysis);
        if (write_report(options, &report, default_out) != 0)
            status = CC_EXIT_USAGE;
        else if (report.n_findings > 0)
            status = options->exitcode;
        cc_report_free(&report);
        cc_analysis_free(&analysis);
    }
    for (size_t i = 0; i < loaded; i++)
        cc_trace_free(&traces[i]);
    free(traces);
    return status;
}

static int cmd_report(int argc, char **argv)
{
    cc_report_options_t options = {.format = CC_FORMAT_TEXT, .exitcode = CC_EXIT_FINDINGS};
    char **paths = cc_xcalloc((size_t)argc, sizeof *paths);
    size_t n_paths = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        if (!options_done && strcmp(argv[i], "--") == 0) {
            options_done = true;
            continue;
        }
        int rc = options_done ? 0 : cc_parse_report_option(&options, argc, argv, &i);
        if (rc < 0) {
            free(paths);
            return CC_EXIT_USAGE;
        }
        if (rc == 0 && !options_done && argv[i][0] == '-' && argv[i][1]) {
            usage_error("report: unknown option '%s'", argv[i]);
            free(paths);
            return CC_EXIT_USAGE;
        }
        if (rc == 0)
            paths[n_paths++] = argv[i];
    }
    int status;
    if (n_paths == 0) {
        usage_error("report: %s", "name at least one trace file");
        status = CC_EXIT_USAGE;
    } else {
        status = cc_report_traces(&options, paths, n_paths, stdout);
    }
    free(paths);
    return status;
}

int cc_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        cc_print_usage(stderr);
        return CC_EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(command, "run") == 0)
        return cc_cmd_run(argc - 1, argv + 1);
    if (strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 ||
        strcmp(command, "-h") == 0)
        return cc_cmd_help(argc - 1, argv + 1);
    if (strcmp(command, "--version") == 0 || strcmp(command, "version") == 0) {
        printf("ccheck %s\n", CCHECK_VERSION);
        return CC_EXIT_CLEAN;
    }
    fprintf(stderr, "ccheck: unknown command '%s' (see `ccheck help`)\n", command);
    return CC_EXIT_USAGE;
}
