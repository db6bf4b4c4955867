/* Call stacks: capture with libunwind, and the stack depot that gives each
 * distinct stack an id and writes it to the trace once.
 *
 * A full unwind costs far more than a lock operation, so the per-operation
 * path keeps only a cc_caller_t; stacks are unwound when something new is
 * learned. */
#ifndef CC_STACK_H
#define CC_STACK_H

#include <stdint.h>

#include "ccheck/trace_format.h"
#include "util.h"

typedef struct cc_unwound {
    uint32_t n;
    uint64_t pc[CC_TRACE_MAX_FRAMES];
    uint64_t sp[CC_TRACE_MAX_FRAMES]; /* the frame's stack pointer (its callee's CFA) */
} cc_unwound_t;

void cc_stack_init(void);
/* After fork, in the child: the new trace has no stacks yet. */
void cc_stack_new_trace(void);

/* The stack of the current thread, from the frame that called the
 * interposer (`from`) outwards. Falls back to the single frame from.pc when
 * libunwind fails. */
void cc_unwind(cc_caller_t from, cc_unwound_t *out);
/* The same when only the caller's pc is known (code the interposer's CFA
 * does not reach): from the innermost frame that returns to pc outwards.
 * A deeper frame of a recursion with the same pc is taken for it. */
void cc_unwind_from_pc(uint64_t pc, cc_unwound_t *out);

/* The id of the stack pcs[0..n), writing it to the trace if new. */
uint32_t cc_stack_intern(const uint64_t *pcs, uint32_t n);

/* cc_unwind + cc_stack_intern. */
uint32_t cc_stack_here(cc_caller_t from);

/* The stack of an earlier call made at `then` by a frame that is still live
 * in `now`: then.pc followed by the frames of `now` that are older than the
 * caller was at the time (stack pointer above then.cfa). Exact while the
 * frames between have not returned; an approximation otherwise. */
uint32_t cc_stack_earlier(const cc_unwound_t *now, cc_caller_t then);

#endif
