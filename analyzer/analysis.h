/* The analyses and what they share: the loaded traces, one symbolizer per
 * trace (made when first needed), and helpers that turn trace stacks and
 * threads into report entries. Each analysis lives in its own file and adds
 * findings to the report. */
#ifndef CC_ANALYZER_ANALYSIS_H
#define CC_ANALYZER_ANALYSIS_H

#include "report.h"
#include "symbolize.h"
#include "trace_reader.h"

typedef struct cc_analysis {
    cc_trace_t *traces;
    size_t n_traces;
    cc_symbolizer_t **symbolizers; /* per trace, NULL until needed */
    cc_report_t *report;
    bool quiet; /* no warnings on stderr */
    /* Parts of module paths: a thread created from there (the innermost
     * frame of its creation stack in a known module) gets no thread
     * finding. */
    const char *const *suppress_threads;
    size_t n_suppress_threads;
} cc_analysis_t;

void cc_analysis_init(cc_analysis_t *a, cc_trace_t *traces, size_t n_traces, cc_report_t *report);
/* Frees the symbolizers: only after the report's last output. */
void cc_analysis_free(cc_analysis_t *a);

/* Runs every analysis. */
void cc_analyze(cc_analysis_t *a);

/* The analyses. */
void cc_analyze_thread_lifecycle(cc_analysis_t *a);
void cc_analyze_lock_order(cc_analysis_t *a);
void cc_analyze_deadlocks(cc_analysis_t *a);
void cc_analyze_notifications(cc_analysis_t *a);
void cc_analyze_misuse(cc_analysis_t *a);
void cc_analyze_races(cc_analysis_t *a);

/* The symbolizer of a trace, made when first needed. */
cc_symbolizer_t *cc_analysis_symbolizer(cc_analysis_t *a, size_t trace);

/* Appends a symbolized stack to f. `title` is a heap string the finding
 * takes over. A stack id the trace lacks gives a stack with no frames. */
void cc_add_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace, uint32_t stack_id,
                  const char *role, char *title, uint32_t thread);
/* The same for a stack given as its pcs (return addresses, innermost
 * first); depth 0 gives a stack with no frames. */
void cc_add_pcs_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace, const uint64_t *pcs,
                      size_t depth, const char *role, char *title, uint32_t thread);
/* Appends thread `tid` of `trace` to f's threads, once. */
void cc_add_thread(cc_analysis_t *a, cc_finding_t *f, size_t trace, uint32_t tid);
/* The name of the function at a code address (not a return address), or
 * NULL. */
const char *cc_function_at(cc_analysis_t *a, size_t trace, uint64_t addr);
/* "mutex M1 'table_lock' (0x5610..., first locked at db.c:12)": a lock's
 * kind, its number within a finding (none for number 0), its symbol when
 * it is static, its address, and where it was initialised or first
 * locked. A heap string. */
char *cc_lock_label(cc_analysis_t *a, size_t trace, uint64_t lock_id, size_t number);

/* A lock's class: the same for the same lock in every run of a program,
 * so graphs of several traces can be merged. A static lock is its module
 * and offset; another lock is the module and offset of its init call (or,
 * without one, of its first lock call). */
uint64_t cc_lock_class(const cc_analysis_t *a, size_t trace, uint64_t lock_id);

/* "T3 (worker)" / "T0 (main thread)": a heap string. */
char *cc_thread_label(cc_analysis_t *a, size_t trace, uint32_t tid);

#endif
