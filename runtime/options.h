/* Runtime options: one integer field per row of options.def. */
#ifndef CC_OPTIONS_H
#define CC_OPTIONS_H

typedef struct cc_options {
#define CC_OPTION(name, def, min, max, doc) int name;
#include "options.def"
#undef CC_OPTION
} cc_options_t;

/* Set by cc_options_init before any interposer does work. */
extern cc_options_t cc_opt;

/* Parses `text` (may be NULL) over the defaults. A bad entry is reported on
 * stderr, naming it, and skipped: a typo must not stop the program. */
void cc_options_init(const char *text);

#endif
