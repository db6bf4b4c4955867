/* The ccheck command line: `report`, `run` and `help`.
 *
 * Exit statuses (docs/exit-codes.md):
 *   0   no findings (for `run`: and otherwise the program's own status)
 *   66  findings (change with --exitcode)
 *   2   bad usage, or input that cannot be read (a missing or corrupt trace)
 *   127 `run` could not start the program */
#ifndef CC_ANALYZER_CLI_H
#define CC_ANALYZER_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum {
    CC_EXIT_CLEAN = 0,
    CC_EXIT_USAGE = 2,
    CC_EXIT_FINDINGS = 66,
    CC_EXIT_CANNOT_RUN = 127,
};

typedef enum cc_format { CC_FORMAT_TEXT, CC_FORMAT_JSON, CC_FORMAT_SARIF } cc_format_t;

enum { CC_MAX_SUPPRESS_THREADS = 32 };

typedef struct cc_report_options {
    cc_format_t format;
    const char *output; /* NULL: the command's default stream */
    int exitcode;       /* status when there are findings */
    /* --suppress-threads-from MODULE (repeatable): parts of module paths;
     * thread findings about threads created from there are left out. */
    const char *suppress_threads[CC_MAX_SUPPRESS_THREADS];
    size_t n_suppress_threads;
} cc_report_options_t;

int cc_cli_main(int argc, char **argv);

/* Parses one report option at argv[*i] (advancing *i past its value).
 * Returns 1 if it was one, 0 if not, -1 after printing a usage error. */
int cc_parse_report_option(cc_report_options_t *options, int argc, char **argv, int *i);

/* Loads, analyses and prints. Returns CC_EXIT_USAGE for unreadable input,
 * options->exitcode when there are findings, else CC_EXIT_CLEAN. */
int cc_report_traces(const cc_report_options_t *options, char **paths, size_t n_paths,
                     FILE *default_out);

int cc_cmd_run(int argc, char **argv);
int cc_cmd_help(int argc, char **argv);
void cc_print_usage(FILE *out);

#endif
