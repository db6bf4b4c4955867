/* Finding the real functions behind the interposed ones.
 *
 * Rules:
 *  - dlsym/dlvsym may allocate and take the loader lock; they are called from
 *    the constructor, or lazily from the first interposed call that comes
 *    before it. Nothing here allocates.
 *  - A pointer is written once with a relaxed atomic store; two threads
 *    resolving the same symbol write the same value. */
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

#include "util.h"

CC_HIDDEN cc_real_functions_t cc_real;

typedef struct real_symbol {
    const char *name;
    const char *version;
    size_t offset;
} real_symbol_t;

static const real_symbol_t real_symbols[] = {
#define CC_REAL_FN(ret, name, params, version)                                          \
    {#name, version, offsetof(cc_real_functions_t, name)},
#include "real_functions.def"
#undef CC_REAL_FN
};

static void *lookup(const real_symbol_t *symbol)
{
    void *fn = NULL;
    if (symbol->version)
        fn = dlvsym(RTLD_NEXT, symbol->name, symbol->version);
    if (!fn)
        fn = dlsym(RTLD_NEXT, symbol->name);
    return fn;
}

void cc_real_resolve(enum cc_real_index index)
{
    const real_symbol_t *symbol = &real_symbols[index];
    void **slot = (void **)((char *)&cc_real + symbol->offset);
    if (__atomic_load_n(slot, __ATOMIC_RELAXED))
        return;
    void *fn = lookup(symbol);
    if (!fn)
        cc_die("cannot find the real %s (dlsym: %s)", symbol->name, dlerror());
    __atomic_store_n(slot, fn, __ATOMIC_RELAXED);
}

void cc_real_resolve_all(void)
{
    for (size_t i = 0; i < CC_ARRAY_SIZE(real_symbols); i++) {
        void **slot = (void **)((char *)&cc_real + real_symbols[i].offset);
        /* A symbol the libc lacks (an older glibc without the clock
         * variants) stays NULL: nobody can call it through us either,
         * unless the program was built against a newer libc, and then
         * cc_real_resolve says so. */
        if (!__atomic_load_n(slot, __ATOMIC_RELAXED))
            __atomic_store_n(slot, lookup(&real_symbols[i]), __ATOMIC_RELAXED);
    }
    /* A symbol not found (the C++ runtime's, in a C program) leaves its
     * error pending: the program's own dlerror() must not see it. */
    dlerror();
}
