/* `ccheck help` and `ccheck help options`. The runtime options come from
 * the same table the runtime parses (runtime/options.def). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cc_print_usage(FILE *out)
{
    fputs("usage: ccheck run [REPORT OPTIONS] [--trace-dir DIR] [--] PROG [ARGS...]\n"
          "       ccheck report [REPORT OPTIONS] TRACE...\n"
          "       ccheck help [options]\n"
          "       ccheck --version\n"
          "\n"
          "run     runs PROG with libccheck.so preloaded (following fork and exec), then\n"
          "        reports on every trace it wrote. The report goes to stderr.\n"
          "report  analyses traces written by LD_PRELOAD=libccheck.so; several traces are\n"
          "        analysed together.\n"
          "\n"
          "report options:\n"
          "  --format text|json|sarif  output format (default: text)\n"
          "  --output FILE             write the report to FILE\n"
          "  --exitcode N              exit status when there are findings (default: 66)\n"
          "  --suppress-threads-from MODULE\n"
          "                            no unjoined-thread or thread-running-at-exit for\n"
          "                            threads created from a module whose path contains\n"
          "                            MODULE (say libfoo.so); may be repeated\n"
          "run options:\n"
          "  --trace-dir DIR           keep the traces in DIR (default: a temporary\n"
          "                            directory, removed afterwards)\n"
          "\n"
          "exit status: 0 no findings (run: else PROG's own status), 66 findings,\n"
          "2 bad usage or unreadable trace, 127 PROG could not be started.\n"
          "Runtime options: `ccheck help options`. Documentation: docs/ in the source.\n",
          out);
}

static void print_runtime_options(FILE *out)
{
    fputs("Runtime options, set as CCHECK_OPTIONS=\"name=value:name=value\":\n\n", out);
#define CC_OPTION(name, def, min, max, doc)                                            \
    fprintf(out, "  %-12s default %d, from %d to %d\n      %s\n", #name, def, min, max, doc);
#include "options.def"
#undef CC_OPTION
    fputs("\nEnvironment:\n"
          "  CCHECK_DIR      directory for traces (default: the current directory)\n"
          "  CCHECK_LIBRARY  path of libccheck.so for `ccheck run`\n",
          out);
}

/* The table in docs/options.md (a test checks they agree). */
static void print_runtime_options_markdown(FILE *out)
{
    fputs("| option | default | range | meaning |\n|---|---|---|---|\n", out);
#define CC_OPTION(name, def, min, max, doc)                                            \
    fprintf(out, "| `%s` | %d | %d to %d | %s |\n", #name, def, min, max, doc);
#include "options.def"
#undef CC_OPTION
}

int cc_cmd_help(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "options") == 0) {
        if (argc >= 3 && strcmp(argv[2], "--markdown") == 0)
            print_runtime_options_markdown(stdout);
        else
            print_runtime_options(stdout);
        return CC_EXIT_CLEAN;
    }
    if (argc >= 2) {
        fprintf(stderr, "ccheck: help: unknown topic '%s'; try `ccheck help options`\n", argv[1]);
        return CC_EXIT_USAGE;
    }
    cc_print_usage(stdout);
    return CC_EXIT_CLEAN;
}
