/* What the interposers need from the runtime, in one include. */
#ifndef CC_RUNTIME_H
#define CC_RUNTIME_H

#include "ccheck/trace_format.h"
#include "lock_order.h"
#include "lock_table.h"
#include "real.h"
#include "thread.h"
#include "util.h"

/* Writes a process-end record. The trace stays open: an exec that fails
 * lets the process go on, and a later end record supersedes this one. */
void cc_runtime_end(cc_end_reason_t reason, int status);

/* Fork handlers of the modules that own a spinlock. */
void cc_registry_fork_prepare(void);
void cc_registry_fork_release(void);
void cc_modules_fork_prepare(void);
void cc_modules_fork_release(void);
void cc_arena_fork_prepare(void);
void cc_arena_fork_release(void);

#endif
