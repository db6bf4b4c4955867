/* Module map records, from dl_iterate_phdr.
 *
 * Rules: a module is written once per trace: a small
 * table remembers (bias, generation); past its size a module may be written
 * twice, which readers accept. */
#include "modules.h"
#include "runtime.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace.h"
#include "util.h"

enum { KNOWN_MODULES = 1024 };

static struct {
    cc_spinlock_t lock; /* guards the table; held only around table updates */
    unsigned long long adds; /* dlpi_adds at the last scan */
    uint32_t scanned_generation;
    uint32_t n_known;
    uint64_t known_bias[KNOWN_MODULES];
    const char *known_name[KNOWN_MODULES];
    uint32_t known_generation[KNOWN_MODULES];
    uint32_t next_id;
} modules;

/* true if (bias, name) still needs a record in this trace; marks it. */
static bool claim(uint64_t bias, const char *name, uint32_t generation)
{
    bool fresh = true;
    cc_spin_lock(&modules.lock);
    uint32_t i;
    for (i = 0; i < modules.n_known; i++)
        if (modules.known_bias[i] == bias && modules.known_name[i] == name)
            break;
    if (i < modules.n_known) {
        fresh = modules.known_generation[i] != generation;
        modules.known_generation[i] = generation;
    } else if (modules.n_known < KNOWN_MODULES) {
        modules.known_bias[i] = bias;
        modules.known_name[i] = name;
        modules.known_generation[i] = generation;
        modules.n_known++;
    }
    cc_spin_unlock(&modules.lock);
    return fresh;
}

static uint32_t find_build_id(const struct dl_phdr_info *info, uint8_t *out)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *note = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *note;
            const char *desc = name + ((note->n_namesz + 3) & ~3u);
            p = desc + ((note->n_descsz + 3) & ~3u);
            if (p > end)
                break;
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && note->n_descsz <= CC_TRACE_MAX_BUILD_ID) {
                memcpy(out, desc, note->n_descsz);
                return note->n_descsz;
            }
        }
    }
    return 0;
}

static void write_module(const struct dl_phdr_info *info)
{
    struct {
        cc_rec_module_t rec;
        uint8_t tail[CC_TRACE_MAX_BUILD_ID + PATH_MAX]; /* build id, then path */
    } buf;
    uint64_t start = UINT64_MAX, end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t lo = info->dlpi_addr + ph->p_vaddr;
        if (lo < start)
            start = lo;
        if (lo + ph->p_memsz > end)
            end = lo + ph->p_memsz;
    }
    if (start >= end)
        return;
    uint32_t build_id_len = find_build_id(info, buf.tail);
    char *path = (char *)buf.tail + build_id_len;
    size_t path_len;
    if (info->dlpi_name && info->dlpi_name[0]) {
        path_len = strlen(info->dlpi_name);
        if (path_len >= PATH_MAX)
            return;
        memcpy(path, info->dlpi_name, path_len);
    } else {
        /* The main program is listed with an empty name. */
        long n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", path, PATH_MAX - 1);
        path_len = n > 0 ? (size_t)n : 0;
    }
    buf.rec.id = __atomic_fetch_add(&modules.next_id, 1, __ATOMIC_RELAXED);
    buf.rec.build_id_len = build_id_len;
    buf.rec.bias = info->dlpi_addr;
    buf.rec.start = start;
    buf.rec.end = end;
    buf.rec.path_len = (uint32_t)path_len;
    buf.rec.reserved = 0;
    cc_trace_write(CC_REC_MODULE, &buf.rec.h,
                   (uint32_t)(sizeof buf.rec + build_id_len + path_len));
}

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uint32_t generation = *(uint32_t *)data;
    /* Only file-backed objects and the main program: the vDSO has no file
     * for the analyzer to read. */
    if (info->dlpi_name && info->dlpi_name[0] && info->dlpi_name[0] != '/')
        return 0;
    if (claim(info->dlpi_addr, info->dlpi_name, generation))
        write_module(info);
    return 0;
}

static int read_adds(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(unsigned long long *)data = info->dlpi_adds;
    return 1; /* the first object is enough */
}

void cc_modules_write_all(void)
{
    uint32_t generation = cc_trace_generation();
    unsigned long long adds = 0;
    dl_iterate_phdr(read_adds, &adds);
    dl_iterate_phdr(visit, &generation);
    __atomic_store_n(&modules.adds, adds, __ATOMIC_RELEASE);
    __atomic_store_n(&modules.scanned_generation, generation, __ATOMIC_RELEASE);
}

void cc_modules_refresh(void)
{
    unsigned long long adds = 0;
    dl_iterate_phdr(read_adds, &adds);
    if (adds != __atomic_load_n(&modules.adds, __ATOMIC_ACQUIRE) ||
        __atomic_load_n(&modules.scanned_generation, __ATOMIC_ACQUIRE) != cc_trace_generation())
        cc_modules_write_all();
}

void cc_modules_fork_prepare(void) { cc_spin_lock(&modules.lock); }
void cc_modules_fork_release(void) { cc_spin_unlock(&modules.lock); }
