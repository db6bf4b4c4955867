/* Symbolization of recorded program counters with elfutils libdwfl, after the
 * process is gone: the trace's module map says which ELF file was mapped
 * where, and the build id says whether the file on disk is still the one
 * that ran. One cc_symbolizer_t stands for one process's address space. */
#ifndef CC_ANALYZER_SYMBOLIZE_H
#define CC_ANALYZER_SYMBOLIZE_H

#include "report.h"

typedef struct cc_module_info {
    const char *path;
    uint64_t bias;  /* load bias (l_addr) */
    uint64_t start; /* lowest mapped address */
    uint64_t end;   /* one past the highest */
    const uint8_t *build_id;
    size_t build_id_len;
} cc_module_info_t;

typedef struct cc_symbolizer cc_symbolizer_t;

/* Called once per problem worth telling the user about (a module file that is
 * missing, or whose build id differs from the traced one). */
typedef void (*cc_symbolizer_warn_fn)(void *ctx, const char *message);

/* Returns NULL only when out of memory. Modules whose files cannot be opened
 * still resolve pcs to module+offset. */
cc_symbolizer_t *cc_symbolizer_new(const cc_module_info_t *modules, size_t n_modules,
                                   cc_symbolizer_warn_fn warn, void *warn_ctx);

/* Writes the frames of one recorded pc (a return address: the call site is
 * looked up at pc - 1) into out[0..max), innermost inlined callee first, and
 * returns how many it wrote (at least 1 when max > 0). Strings in the frames
 * stay valid until cc_symbolizer_free. */
size_t cc_symbolize_pc(cc_symbolizer_t *symbolizer, uint64_t pc, cc_frame_t *out, size_t max);

/* A named object of a module's data (a global or static variable), from
 * the module's symbol table (.symtab, or .dynsym when stripped). */
typedef struct cc_data_symbol {
    const char *name;   /* as in the symbol table (C++ names stay mangled) */
    uint64_t offset;    /* of the address from the symbol's start */
    uint64_t size;      /* the symbol's size, 0 when the table gives none */
    const char *module; /* path of the ELF object */
} cc_data_symbol_t;

/* The data symbol that holds addr (a data address, not a return address).
 * Returns false when no module record maps addr or no symbol covers it;
 * the module is filled in whenever a record maps it. Strings stay valid
 * until cc_symbolizer_free. */
bool cc_symbolize_data(cc_symbolizer_t *symbolizer, uint64_t addr, cc_data_symbol_t *out);

void cc_symbolizer_free(cc_symbolizer_t *symbolizer);

#endif
