/* Pointers to the real (next) definitions of every interposed function. */
#ifndef CC_REAL_H
#define CC_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <threads.h>
#include <time.h>

typedef struct cc_real_functions {
#define CC_REAL_FN(ret, name, params, version) ret(*name) params;
#include "real_functions.def"
#undef CC_REAL_FN
} cc_real_functions_t;

enum cc_real_index {
#define CC_REAL_FN(ret, name, params, version) CC_REAL_INDEX_##name,
#include "real_functions.def"
#undef CC_REAL_FN
};

extern cc_real_functions_t cc_real;

/* Resolves every pointer. Called from the constructor. */
void cc_real_resolve_all(void);
/* Resolves one (for calls that arrive before the constructor ran). Dies if
 * the symbol cannot be found: without it the call cannot be made. */
void cc_real_resolve(enum cc_real_index index);

/* The real function `name`, resolving it first if the constructor has not
 * run yet. The check is one predictable branch. */
#define CC_REAL(name)                                                                  \
    (__builtin_expect(cc_real.name != NULL, 1)                                         \
         ? cc_real.name                                                                \
         : (cc_real_resolve(CC_REAL_INDEX_##name), cc_real.name))

#endif
