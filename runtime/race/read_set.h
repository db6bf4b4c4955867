/* The reads a shadow cell could not keep (FastTrack's read-shared state,
 * out of line and only for the words that need it).
 *
 * A cell holds one read. When a read comes that is not ordered with the
 * kept one (two threads reading a word, neither after the other), the
 * cell keeps the newer, flags it, and the older comes here, so that a
 * later write still races with every read it is not ordered after. The
 * classic miss this closes: one thread only reads a word, another reads
 * and then writes it.
 *
 * Rules:
 *  - Lock-free (any thread, signal handlers included): entries are
 *    claimed by CAS on their key and never given back, so an entry never
 *    changes the word it speaks for; reads are stored and cleared one
 *    64-bit way at a time.
 *  - Bounded: a fixed table, lazily backed. When a word's entry cannot be
 *    had (the table is full around it) or its ways are full, the read is
 *    not kept: a race can be missed, never invented. */
#ifndef CC_RACE_READ_SET_H
#define CC_RACE_READ_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "shadow.h"
#include "thread.h"

/* Keeps `dropped`, the read the cell c just replaced. `fresh`: the cell
 * held no dropped reads (its read was not flagged), so whatever the entry
 * still holds is from before the cell was last cleared and goes. */
void cc_read_set_keep(const cc_shadow_cell_t *c, uint64_t dropped, bool fresh);

/* A read kept for c that the write `cur` by t races with (another slot's,
 * touching cur's bytes, not ordered before t), or 0. */
uint64_t cc_read_set_racing(const cc_thread_t *t, const cc_shadow_cell_t *c, uint64_t cur);

/* A write ordered after every read of c: they say nothing more. */
void cc_read_set_forget(const cc_shadow_cell_t *c);

#endif
