/* Symbolizer: recorded pcs -> function, file:line, module+offset, with one
 * elfutils Dwfl standing for one traced process's address space.
 *
 * What must hold:
 * - Every module record gets a cc_sym_module_t, even when its file cannot be
 *   used: pcs inside it still show as module+offset. Only files that opened,
 *   and whose build id matches the record (when it has one), are reported to
 *   libdwfl.
 * - Each record is reported under a unique Dwfl module name. libdwfl reuses a
 *   module reported twice with the same name and range, and when the second
 *   report disagrees it marks the first one for removal in dwfl_report_end,
 *   which would leave our Dwfl_Module pointer dangling (hostile traces can
 *   repeat records).
 * - We never ask libdwfl which module holds a pc (dwfl_addrmodule): we pick the
 *   module from the records ourselves, so overlapping records cannot confuse
 *   it and modules that libdwfl never saw still resolve.
 * - Every string put in a frame is interned here, so it lives until
 *   cc_symbolizer_free regardless of which libdw buffer it came from.
 * Not thread-safe: one symbolizer is used by one thread at a time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vasprintf */
#endif
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frames kept for one pc: inline nesting deeper than this loses its middle
 * frames (the outermost function and its line stay right). */
#define CC_SYM_MAX_FRAMES 64

typedef struct cc_sym_module {
    const char *path; /* interned; NULL when the record has no path */
    uint64_t bias, start, end;
    Dwfl_Module *dwfl_mod; /* NULL: this module gives module+offset only */
    Dwarf_Die *last_cu;    /* where the previous pc was found (libdwfl-owned) */
    char *warning;         /* told at the first pc in this module, then freed */
} cc_sym_module_t;

/* One pc's frames as resolved once; later lookups copy them. */
typedef struct cc_sym_entry {
    uint64_t pc;
    size_t n;
    cc_frame_t frames[];
} cc_sym_entry_t;

/* Open-addressing hash set of owned pointers; NULL marks a free slot. */
typedef struct cc_sym_set {
    void **slots;
    size_t n, cap;
} cc_sym_set_t;

struct cc_symbolizer {
    Dwfl *dwfl; /* NULL if dwfl_begin failed: everything is module+offset */
    cc_sym_module_t *modules;
    size_t n_modules;
    cc_symbolizer_warn_fn warn;
    void *warn_ctx;
    cc_sym_set_t strings; /* char *: every string a frame points to */
    cc_sym_set_t cache;   /* cc_sym_entry_t *, by pc */
};

static const Dwfl_Callbacks cc_sym_callbacks = {
    /* Only used for modules not reported with their own fd: none here. */
    .find_elf = dwfl_build_id_find_elf,
    /* Build-id links in /usr/lib/debug, .gnu_debuglink, debuginfod. */
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static char *format(const char *fmt, va_list ap)
{
    char *msg;
    return vasprintf(&msg, fmt, ap) >= 0 ? msg : NULL;
}

static void tell(cc_symbolizer_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell(cc_symbolizer_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = format(fmt, ap);
    va_end(ap);
    if (msg != NULL && s->warn != NULL)
        s->warn(s->warn_ctx, msg);
    free(msg);
}

/* Module warnings wait until a pc lands in the module, so a library whose
 * frames never appear in any stack costs the user no line of output. */
static void defer_warning(cc_sym_module_t *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void defer_warning(cc_sym_module_t *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = format(fmt, ap);
    va_end(ap);
    if (why != NULL && m->warning == NULL &&
        asprintf(&m->warning, "%s: %s; its frames show as module+offset", m->path, why) < 0)
        m->warning = NULL;
    free(why);
}

static size_t hash_str(const void *str)
{
    size_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *c = str; *c != '\0'; c++)
        h = (h ^ *c) * 1099511628211u;
    return h;
}

static size_t hash_pc(uint64_t pc)
{
    return (size_t)((pc * 0x9e3779b97f4a7c15u) >> 17);
}

static size_t hash_entry(const void *entry)
{
    return hash_pc(((const cc_sym_entry_t *)entry)->pc);
}

/* Makes room for one more element (load stays under 1/2); false when out of
 * memory, which callers survive: a string shows as unknown, a pc is not
 * cached. */
static bool set_reserve(cc_sym_set_t *set, size_t (*hash)(const void *))
{
    if (2 * (set->n + 1) <= set->cap)
        return true;
    size_t cap = set->cap ? 2 * set->cap : 256;
    void **slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t i = 0; i < set->cap; i++) {
        if (set->slots[i] == NULL)
            continue;
        size_t j = hash(set->slots[i]) & (cap - 1);
        while (slots[j] != NULL)
            j = (j + 1) & (cap - 1);
        slots[j] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return true;
}

static void set_free(cc_sym_set_t *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
}

/* The interned copy of str; NULL for NULL or when out of memory. */
static const char *intern(cc_symbolizer_t *s, const char *str)
{
    if (str == NULL || !set_reserve(&s->strings, hash_str))
        return NULL;
    size_t mask = s->strings.cap - 1;
    void **slots = s->strings.slots;
    for (size_t i = hash_str(str) & mask;; i = (i + 1) & mask) {
        if (slots[i] == NULL) {
            if ((slots[i] = strdup(str)) != NULL)
                s->strings.n++;
            return slots[i];
        }
        if (strcmp(slots[i], str) == 0)
            return slots[i];
    }
}

/* libstdc++'s demangler (the Itanium C++ ABI's): a well-kept one that every
 * machine with a C++ compiler has. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* The interned, readable form of a symbol name: C++ names demangled
 * (`ns::Counter::add()`), others as they are. */
static const char *intern_symbol(cc_symbolizer_t *s, const char *name)
{
    if (name == NULL || strncmp(name, "_Z", 2) != 0)
        return intern(s, name);
    int status;
    char *readable = __cxa_demangle(name, NULL, NULL, &status);
    const char *interned = intern(s, status == 0 && readable != NULL ? readable : name);
    free(readable);
    return interned;
}

/* The slot holding pc's entry, or the free slot where it belongs. */
static void **cache_slot(cc_symbolizer_t *s, uint64_t pc)
{
    size_t mask = s->cache.cap - 1;
    size_t i = hash_pc(pc) & mask;
    while (s->cache.slots[i] != NULL && ((cc_sym_entry_t *)s->cache.slots[i])->pc != pc)
        i = (i + 1) & mask;
    return &s->cache.slots[i];
}

/* A file that is not ELF at all passes here: dwfl_report_elf then says what
 * is wrong with it, better than "build id differs" would. */
static bool build_id_matches(int fd, const cc_module_info_t *info)
{
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
        elf_end(elf);
        return true;
    }
    const void *id = NULL;
    ssize_t len = dwelf_elf_gnu_build_id(elf, &id);
    bool same = len > 0 && (size_t)len == info->build_id_len &&
                memcmp(id, info->build_id, info->build_id_len) == 0;
    elf_end(elf);
    return same;
}

/* Opens the module's file, checks its build id against the record, and
 * reports it to libdwfl. On any failure the module keeps dwfl_mod NULL and
 * a warning for later. */
static void report_module(cc_symbolizer_t *s, cc_sym_module_t *m, const cc_module_info_t *info,
                          size_t index)
{
    /* O_NONBLOCK: a path that is now a FIFO must not hang the analyzer. */
    int fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0) {
        defer_warning(m, "cannot open (%s)", strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        defer_warning(m, "cannot open (not a regular file)");
    } else if (info->build_id != NULL && info->build_id_len > 0 && !build_id_matches(fd, info)) {
        defer_warning(m, "build id differs from the traced program");
    } else {
        char name[32]; /* unique per record: see the rules at the top */
        snprintf(name, sizeof name, "module#%zu", index);
        /* add_p_vaddr: for ET_DYN, base is the load bias (l_addr) as
         * recorded; libdwfl ignores base for ET_EXEC, whose bias is 0. On
         * success the fd belongs to libdwfl; on failure it is still ours. */
        m->dwfl_mod = dwfl_report_elf(s->dwfl, name, m->path, fd, m->bias, true);
        if (m->dwfl_mod != NULL)
            return;
        defer_warning(m, "dwfl_report_elf: %s", dwfl_errmsg(-1));
    }
    close(fd);
}

cc_symbolizer_t *cc_symbolizer_new(const cc_module_info_t *modules, size_t n_modules,
                                   cc_symbolizer_warn_fn warn, void *warn_ctx)
{
    cc_symbolizer_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->warn = warn;
    s->warn_ctx = warn_ctx;
    if (modules == NULL)
        n_modules = 0;
    if (n_modules > 0 && (s->modules = calloc(n_modules, sizeof *s->modules)) == NULL)
        goto oom;
    s->n_modules = n_modules;

    s->dwfl = dwfl_begin(&cc_sym_callbacks);
    if (s->dwfl == NULL)
        tell(s, "dwfl_begin: %s; all frames show as module+offset", dwfl_errmsg(-1));
    else
        dwfl_report_begin(s->dwfl);
    for (size_t i = 0; i < n_modules; i++) {
        cc_sym_module_t *m = &s->modules[i];
        m->bias = modules[i].bias;
        m->start = modules[i].start;
        m->end = modules[i].end;
        if (modules[i].path == NULL || modules[i].path[0] == '\0')
            continue; /* no file to read: its pcs show as offsets from bias */
        if ((m->path = intern(s, modules[i].path)) == NULL)
            goto oom;
        if (s->dwfl != NULL)
            report_module(s, m, &modules[i], i);
    }
    /* Lookups are only valid after dwfl_report_end. */
    if (s->dwfl != NULL && dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
        tell(s, "dwfl_report_end: %s; all frames show as module+offset", dwfl_errmsg(-1));
        for (size_t i = 0; i < n_modules; i++)
            s->modules[i].dwfl_mod = NULL;
    }
    return s;
oom:
    cc_symbolizer_free(s);
    return NULL;
}

/* The name to show for a subprogram or inlined-subroutine DIE. The attr
 * integrate calls follow DW_AT_abstract_origin and DW_AT_specification, where
 * inlined and out-of-line (foo.part.0, foo.cold) copies keep their name. The
 * linkage name wins so that C++ frames stay qualified (intern_symbol
 * demangles it). */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (name == NULL)
        name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
    return name != NULL ? name : dwarf_diename(die);
}

/* Where an inlined subroutine was called from: DW_AT_call_file indexes the
 * file table of the unit holding the inlined instance. */
static const char *call_site(Dwarf_Die *inlined, int *line)
{
    Dwarf_Attribute attr;
    Dwarf_Word file_idx, line_no;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &line_no) == 0 &&
        line_no <= INT32_MAX)
        *line = (int)line_no;
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t n_files;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &file_idx) != 0 ||
        dwarf_diecu(inlined, &cu, NULL, NULL) == NULL ||
        dwarf_getsrcfiles(&cu, &files, &n_files) != 0 || file_idx >= n_files)
        return NULL;
    const char *file = dwarf_filesrc(files, file_idx, NULL, NULL);
    /* Before DWARF 5, index 0 means "no file"; libdw names it "???". */
    return file != NULL && strcmp(file, "???") != 0 ? file : NULL;
}

/* The CU DIE holding addr, and the module's DWARF bias. libdwfl (0.188 at
 * least) finds CUs only through .debug_aranges, which clang does not emit,
 * so when that fails we try the CUs' own ranges: first the CU of the previous
 * pc (pcs of one stack tend to share CUs), then every CU. The DIEs returned
 * by dwfl_module_nextcu live as long as the Dwfl. */
static Dwarf_Die *find_cu(cc_sym_module_t *m, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(m->dwfl_mod, addr, bias);
    if (cu != NULL)
        return cu;
    if (m->last_cu != NULL && dwfl_module_getdwarf(m->dwfl_mod, bias) != NULL &&
        dwarf_haspc(m->last_cu, addr - *bias) > 0)
        return m->last_cu;
    while ((cu = dwfl_module_nextcu(m->dwfl_mod, cu, bias)) != NULL)
        if (dwarf_haspc(cu, addr - *bias) > 0)
            return m->last_cu = cu;
    return NULL;
}

/* Expands one pc inside a module reported to libdwfl into out[], innermost
 * inlined callee first, and returns how many frames it wrote (>= 1). */
static size_t resolve_in_module(cc_symbolizer_t *s, cc_sym_module_t *m, uint64_t pc,
                                cc_frame_t *out)
{
    Dwfl_Module *mod = m->dwfl_mod;
    const cc_frame_t base = out[0];
    Dwarf_Addr addr = pc - 1; /* pc is a return address: look at the call */

    Dwarf_Addr dwarf_bias = 0;
    Dwarf_Die *cudie = find_cu(m, addr, &dwarf_bias);

    /* The innermost position comes from the CU's line table. */
    const char *file = NULL;
    int line = 0;
    Dwarf_Line *src = cudie != NULL ? dwarf_getsrc_die(cudie, addr - dwarf_bias) : NULL;
    if (src != NULL && (file = dwarf_linesrc(src, NULL, NULL)) != NULL &&
        dwarf_lineno(src, &line) != 0)
        line = 0;

    /* dwarf_getscopes stops at the innermost inlined instance and then
     * continues with the scopes of its abstract definition, so it only finds
     * scopes[0]; dwarf_getscopes_die then gives the physical nesting from it
     * outwards: lexical blocks, inlined subroutines, the subprogram, the CU. */
    Dwarf_Die *scopes = NULL;
    int n_scopes = 0;
    Dwarf_Die split;
    uint8_t unit_type;
    /* With -gsplit-dwarf the DIE tree is in the .dwo unit; the skeleton only
     * has the ranges and the line table used above. */
    if (cudie != NULL &&
        dwarf_cu_info(cudie->cu, NULL, &unit_type, NULL, &split, NULL, NULL, NULL) == 0 &&
        unit_type == DW_UT_skeleton && split.cu != NULL)
        cudie = &split;
    if (cudie != NULL) {
        Dwarf_Die *innermost = NULL;
        if (dwarf_getscopes(cudie, addr - dwarf_bias, &innermost) > 0)
            n_scopes = dwarf_getscopes_die(&innermost[0], &scopes);
        free(innermost);
    }

    size_t n = 0;
    const char *function = NULL;
    for (int i = 0; i < n_scopes; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_subprogram) {
            function = die_name(&scopes[i]);
            break;
        }
        if (tag != DW_TAG_inlined_subroutine)
            continue;
        /* Keep one slot for the outer function. Past the cap we still walk
         * the call sites so that the outer frame's line stays right. */
        if (n + 1 < CC_SYM_MAX_FRAMES) {
            out[n] = base;
            out[n].function = intern_symbol(s, die_name(&scopes[i]));
            out[n].file = intern(s, file);
            out[n].line = out[n].file != NULL ? line : 0;
            out[n].inlined = true;
            n++;
        }
        file = call_site(&scopes[i], &line);
    }
    free(scopes);

    if (function == NULL) {
        /* No DWARF for this pc: the symbol table (.symtab or .dynsym) still
         * names exported and, unstripped, static functions. */
        GElf_Off offset;
        GElf_Sym sym;
        function = dwfl_module_addrinfo(mod, addr, &offset, &sym, NULL, NULL, NULL);
    }
    out[n] = base;
    out[n].function = intern_symbol(s, function);
    out[n].file = intern(s, file);
    out[n].line = out[n].file != NULL ? line : 0;
    return n + 1;
}

/* The record that maps addr. On overlap the last record wins: a later
 * record describes a later mapping of that range. */
static cc_sym_module_t *find_module_at(cc_symbolizer_t *s, uint64_t addr)
{
    for (size_t i = s->n_modules; i-- > 0;) {
        cc_sym_module_t *m = &s->modules[i];
        if (addr >= m->start && addr < m->end)
            return m;
    }
    return NULL;
}

/* The record that holds the call instruction before pc. */
static cc_sym_module_t *find_module(cc_symbolizer_t *s, uint64_t pc)
{
    return pc == 0 ? NULL : find_module_at(s, pc - 1);
}

size_t cc_symbolize_pc(cc_symbolizer_t *s, uint64_t pc, cc_frame_t *out, size_t max)
{
    if (s == NULL || out == NULL || max == 0)
        return 0;
    /* Reserving first keeps a free slot for the miss path below. */
    void **slot = set_reserve(&s->cache, hash_entry) ? cache_slot(s, pc) : NULL;
    const cc_sym_entry_t *hit = slot != NULL ? *slot : NULL;
    if (hit != NULL) {
        size_t n = hit->n < max ? hit->n : max;
        memcpy(out, hit->frames, n * sizeof *out);
        return n;
    }

    cc_frame_t frames[CC_SYM_MAX_FRAMES];
    size_t n = 1;
    frames[0] = (cc_frame_t){.pc = pc, .module_offset = pc};
    cc_sym_module_t *m = find_module(s, pc);
    if (m != NULL) {
        frames[0].module = m->path;
        frames[0].module_offset = pc - m->bias;
        if (m->warning != NULL) {
            tell(s, "%s", m->warning);
            free(m->warning);
            m->warning = NULL;
        }
        if (m->dwfl_mod != NULL)
            n = resolve_in_module(s, m, pc, frames);
    }
    cc_sym_entry_t *entry = slot != NULL ? malloc(sizeof *entry + n * sizeof *frames) : NULL;
    if (entry != NULL) {
        entry->pc = pc;
        entry->n = n;
        memcpy(entry->frames, frames, n * sizeof *frames);
        *slot = entry;
        s->cache.n++;
    }
    if (n > max)
        n = max;
    memcpy(out, frames, n * sizeof *out);
    return n;
}

bool cc_symbolize_data(cc_symbolizer_t *s, uint64_t addr, cc_data_symbol_t *out)
{
    memset(out, 0, sizeof *out);
    cc_sym_module_t *m = s != NULL ? find_module_at(s, addr) : NULL;
    if (m == NULL)
        return false;
    out->module = m->path;
    if (m->dwfl_mod == NULL)
        return false;
    GElf_Off offset;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(m->dwfl_mod, addr, &offset, &sym, NULL, NULL, NULL);
    if (name == NULL || name[0] == '\0')
        return false;
    /* libdwfl falls back to the nearest symbol below addr when none holds
     * it: a sized symbol must reach addr, a sizeless one must start there,
     * or an unnamed static would take its neighbour's name. Code is no
     * variable. */
    int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_FUNC || type == STT_GNU_IFUNC || type == STT_SECTION || type == STT_FILE)
        return false;
    if (sym.st_size ? offset >= sym.st_size : offset != 0)
        return false;
    if ((out->name = intern_symbol(s, name)) == NULL)
        return false;
    out->offset = offset;
    out->size = sym.st_size;
    return true;
}

void cc_symbolizer_free(cc_symbolizer_t *s)
{
    if (s == NULL)
        return;
    if (s->dwfl != NULL)
        dwfl_end(s->dwfl); /* closes the fds handed to dwfl_report_elf */
    for (size_t i = 0; i < s->n_modules; i++)
        free(s->modules[i].warning);
    free(s->modules);
    set_free(&s->strings);
    set_free(&s->cache);
    free(s);
}
