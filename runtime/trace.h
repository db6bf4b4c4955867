/* The trace file this process writes. See include/ccheck/trace_format.h. */
#ifndef CC_TRACE_H
#define CC_TRACE_H

#include <stdint.h>

#include "ccheck/trace_format.h"

/* Creates the trace in $CCHECK_DIR (default: the current directory) as
 * ccheck.<exe>.<pid>.trace, O_EXCL|O_NOFOLLOW, mode 0600, and writes the
 * header, the process record and the module map. Returns 0, or -1 after
 * telling the user why (the program then runs without ccheck). */
int cc_trace_open(cc_process_origin_t origin);

/* Fills in the record header (size padded to 8, type, crc, writer thread) and
 * writes the record with one write(2). `size` excludes the padding; the
 * caller's buffer must have room for it. Safe from any thread and from
 * signal handlers; preserves errno. A no-op when there is no trace. */
void cc_trace_write(cc_rec_type_t type, cc_rec_header_t *record, uint32_t size);

/* Bumped every time a new trace is opened (start, fork child), so that
 * "written once" state can tell which trace it was written to. */
uint32_t cc_trace_generation(void);

/* Writes a process-end record and, with verbosity >= 1, the line on stderr
 * that names the trace (once). There may be several end records: an exec
 * that fails lets the process go on, a fatal signal can come during exit;
 * the last one is the one that counts. */
void cc_trace_end(cc_end_reason_t reason, int status);

/* The trace's path, for messages. */
const char *cc_trace_path(void);

#endif
