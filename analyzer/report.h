/* The analyzer's output model: what every analysis produces and every output
 * format (text, JSON, SARIF) prints. Analyses fill it; formats only read it.
 * Ownership (details in report.c): the report owns its arrays (findings, each
 * finding's threads and stacks, each stack's frames, traces), the heap strings
 * finding->message, stack->title, trace->path and trace->exe, and frees them
 * all in cc_report_free. category, kind, role and tool_version are string
 * literals; frame strings and start_function belong to the symbolizer, which
 * must live as long as the report. */
#ifndef CC_ANALYZER_REPORT_H
#define CC_ANALYZER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One symbolized frame. An inlined call expands into several frames with the
 * same pc: the innermost (inlined callee) first, `inlined` set on all but the
 * last of them. */
typedef struct cc_frame {
    uint64_t pc;            /* as recorded: a return address */
    const char *function;   /* NULL when unknown */
    const char *file;       /* NULL when unknown */
    int line;               /* 0 when unknown */
    const char *module;     /* path of the ELF object, NULL when unknown */
    uint64_t module_offset; /* pc - module load bias */
    bool inlined;
} cc_frame_t;

typedef struct cc_report_stack {
    const char *role;  /* machine name, e.g. "acquire", "held", "create" */
    const char *title; /* one human line for the text output */
    uint32_t thread;   /* ccheck thread id */
    uint32_t pid;
    cc_frame_t *frames;
    size_t n_frames;
} cc_report_stack_t;

typedef struct cc_report_thread {
    uint32_t id;   /* ccheck thread id: 0 is the main thread */
    uint32_t pid;
    const char *start_function; /* NULL for the main thread or unknown */
} cc_report_thread_t;

typedef enum cc_severity { CC_SEVERITY_ERROR, CC_SEVERITY_WARNING } cc_severity_t;

typedef struct cc_finding {
    const char *category; /* deadlock | race | notification | thread | misuse */
    const char *kind;     /* e.g. lock-order-inversion, unjoined-thread */
    cc_severity_t severity;
    const char *message;  /* one line, no trailing newline */
    cc_report_thread_t *threads;
    size_t n_threads;
    cc_report_stack_t *stacks;
    size_t n_stacks;
} cc_finding_t;

typedef struct cc_report_trace {
    const char *path;
    uint32_t pid;
    const char *exe;
    bool truncated; /* ended in the middle of a record */
    bool complete;  /* has its process-end record */
} cc_report_trace_t;

typedef struct cc_report {
    const char *tool_version;
    cc_report_trace_t *traces;
    size_t n_traces;
    cc_finding_t *findings;
    size_t n_findings;
    size_t cap_findings;
} cc_report_t;

/* The fixed category names of design.md. */
#define CC_CATEGORY_DEADLOCK "deadlock"
#define CC_CATEGORY_RACE "race"
#define CC_CATEGORY_NOTIFICATION "notification"
#define CC_CATEGORY_THREAD "thread"
#define CC_CATEGORY_MISUSE "misuse"

const char *cc_severity_name(cc_severity_t severity);

/* Appends a zeroed finding and returns it; aborts on out-of-memory. The
 * pointer is valid until the next append to the same array. */
cc_finding_t *cc_report_add_finding(cc_report_t *report);
/* Appends a zeroed stack / thread to a finding; same rules. */
cc_report_stack_t *cc_finding_add_stack(cc_finding_t *finding);
cc_report_thread_t *cc_finding_add_thread(cc_finding_t *finding);
/* Frees what the report owns (see above) and zeroes *report. */
void cc_report_free(cc_report_t *report);

/* Output formats. Each returns 0, or -1 with errno set if writing failed. */
int cc_output_text(const cc_report_t *report, FILE *out);
int cc_output_json(const cc_report_t *report, FILE *out);
int cc_output_sarif(const cc_report_t *report, FILE *out);

#endif
