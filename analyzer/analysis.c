/* Shared analysis context: symbolizers per trace and report helpers. */
#include "analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void warn(void *ctx, const char *message)
{
    const cc_analysis_t *a = ctx;
    if (!a->quiet)
        fprintf(stderr, "ccheck: warning: %s\n", message);
}

void cc_analysis_init(cc_analysis_t *a, cc_trace_t *traces, size_t n_traces, cc_report_t *report)
{
    memset(a, 0, sizeof *a);
    a->traces = traces;
    a->n_traces = n_traces;
    a->symbolizers = cc_xcalloc(n_traces, sizeof *a->symbolizers);
    a->report = report;
}

void cc_analysis_free(cc_analysis_t *a)
{
    for (size_t i = 0; i < a->n_traces; i++)
        if (a->symbolizers[i])
            cc_symbolizer_free(a->symbolizers[i]);
    free(a->symbolizers);
    a->symbolizers = NULL;
}

void cc_analyze(cc_analysis_t *a)
{
    cc_analyze_notifications(a);
    cc_analyze_deadlocks(a);
    cc_analyze_races(a);
    cc_analyze_lock_order(a);
    cc_analyze_thread_lifecycle(a);
    cc_analyze_misuse(a);
}

static cc_symbolizer_t *symbolizer(cc_analysis_t *a, size_t trace)
{
    if (!a->symbolizers[trace]) {
        const cc_trace_t *t = &a->traces[trace];
        a->symbolizers[trace] = cc_symbolizer_new(t->modules, t->n_modules, warn, a);
        if (!a->symbolizers[trace]) {
            fprintf(stderr, "ccheck: out of memory (symbolizer)\n");
            exit(2);
        }
    }
    return a->symbolizers[trace];
}

cc_symbolizer_t *cc_analysis_symbolizer(cc_analysis_t *a, size_t trace)
{
    return symbolizer(a, trace);
}

static bool in_runtime(const cc_frame_t *frame)
{
    const char *base = frame->module ? strrchr(frame->module, '/') : NULL;
    return base && strcmp(base + 1, "libccheck.so") == 0;
}

void cc_add_pcs_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace, const uint64_t *pcs,
                      size_t depth, const char *role, char *title, uint32_t thread)
{
    enum { MAX_INLINE = 16 };
    cc_report_stack_t *s = cc_finding_add_stack(f);
    s->role = role;
    s->title = title;
    s->thread = thread;
    s->pid = a->traces[trace].pid;
    if (!depth)
        return;
    s->frames = cc_xcalloc(depth * MAX_INLINE, sizeof *s->frames);
    for (size_t i = 0; i < depth; i++) {
        size_t n = cc_symbolize_pc(symbolizer(a, trace), pcs[i], s->frames + s->n_frames,
                                   MAX_INLINE);
        /* ccheck's own frames (the thread trampoline a start routine
         * returns to, in a stack kept by the instrumentation) are never
         * the program's. */
        if (!n || !in_runtime(&s->frames[s->n_frames]))
            s->n_frames += n;
    }
}

void cc_add_stack(cc_analysis_t *a, cc_finding_t *f, size_t trace, uint32_t stack_id,
                  const char *role, char *title, uint32_t thread)
{
    const cc_trace_stack_t *stack = cc_trace_find_stack(&a->traces[trace], stack_id);
    cc_add_pcs_stack(a, f, trace, stack ? stack->pcs : NULL, stack ? stack->depth : 0, role,
                     title, thread);
}

const char *cc_function_at(cc_analysis_t *a, size_t trace, uint64_t addr)
{
    cc_frame_t frames[16];
    /* The symbolizer looks up pc - 1, as for a return address. */
    size_t n = cc_symbolize_pc(symbolizer(a, trace), addr + 1, frames, 16);
    return n ? frames[n - 1].function : NULL;
}

void cc_add_thread(cc_analysis_t *a, cc_finding_t *f, size_t trace, uint32_t tid)
{
    uint32_t pid = a->traces[trace].pid;
    for (size_t i = 0; i < f->n_threads; i++)
        if (f->threads[i].id == tid && f->threads[i].pid == pid)
            return;
    cc_report_thread_t *th = cc_finding_add_thread(f);
    th->id = tid;
    th->pid = pid;
    const cc_trace_thread_t *info = cc_trace_find_thread(&a->traces[trace], tid);
    th->start_function = info && info->created ? cc_function_at(a, trace, info->start_pc) : NULL;
}

static const char *lock_kind_name(uint16_t kind)
{
    switch (kind) {
    case CC_LOCK_MUTEX: return "mutex";
    case CC_LOCK_RWLOCK: return "rwlock";
    case CC_LOCK_SPIN: return "spinlock";
    case CC_LOCK_C11_MTX: return "mtx";
    case CC_LOCK_SEM: return "semaphore";
    default: return "lock";
    }
}

/* " initialised at db.c:12" / " first locked at db.c:40", or "". */
static char *site_text(cc_analysis_t *a, size_t trace, const cc_trace_lock_t *lock)
{
    const cc_trace_stack_t *site = cc_trace_find_stack(&a->traces[trace], lock->site_stack);
    if (!site)
        return cc_xstrdup("");
    cc_frame_t frames[16];
    size_t n = cc_symbolize_pc(symbolizer(a, trace), site->pcs[0], frames, 16);
    const cc_frame_t *f = n ? &frames[n - 1] : NULL;
    if (!f || !f->file || !f->line)
        return cc_xstrdup("");
    const char *base = strrchr(f->file, '/');
    return cc_xasprintf(", %s at %s:%d",
                        lock->origin == CC_LOCK_FROM_INIT ? "initialised" : "first locked",
                        base ? base + 1 : f->file, f->line);
}

char *cc_lock_label(cc_analysis_t *a, size_t trace, uint64_t lock_id, size_t number)
{
    char tag[32] = ""; /* " M1"; none for number 0 */
    if (number)
        snprintf(tag, sizeof tag, " M%zu", number);
    const cc_trace_lock_t *lock = cc_trace_find_lock(&a->traces[trace], lock_id);
    if (!lock)
        return cc_xasprintf("lock%s", tag);
    const char *symbol = cc_function_at(a, trace, lock->addr);
    char *site = site_text(a, trace, lock);
    char *label = symbol ? cc_xasprintf("%s%s '%s' (%#llx%s)", lock_kind_name(lock->kind), tag,
                                        symbol, (unsigned long long)lock->addr, site)
                         : cc_xasprintf("%s%s (%#llx%s)", lock_kind_name(lock->kind), tag,
                                        (unsigned long long)lock->addr, site);
    free(site);
    return label;
}

/* The module that maps addr, or NULL. */
static const cc_module_info_t *module_of(const cc_trace_t *t, uint64_t addr)
{
    for (size_t i = 0; i < t->n_modules; i++)
        if (addr >= t->modules[i].start && addr < t->modules[i].end)
            return &t->modules[i];
    return NULL;
}

/* FNV-1a over a module's path and an offset in it, with a tag. */
static uint64_t place_hash(char tag, const cc_module_info_t *m, uint64_t addr)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = (h ^ (uint8_t)tag) * 0x100000001b3ull;
    for (const char *p = m->path; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    uint64_t offset = addr - m->bias;
    for (int i = 0; i < 8; i++)
        h = (h ^ ((offset >> (8 * i)) & 0xff)) * 0x100000001b3ull;
    return h;
}

uint64_t cc_lock_class(const cc_analysis_t *a, size_t trace, uint64_t lock_id)
{
    const cc_trace_t *t = &a->traces[trace];
    const cc_trace_lock_t *lock = cc_trace_find_lock(t, lock_id);
    const cc_module_info_t *m = lock ? module_of(t, lock->addr) : NULL;
    if (m)
        return place_hash('s', m, lock->addr);
    const cc_trace_stack_t *site = lock ? cc_trace_find_stack(t, lock->site_stack) : NULL;
    m = site ? module_of(t, site->pcs[0]) : NULL;
    if (m)
        return place_hash('i', m, site->pcs[0]);
    /* Nothing stable to go by: a class of its own. */
    return 0x9e3779b97f4a7c15ull * (trace + 1) ^ lock_id;
}

char *cc_thread_label(cc_analysis_t *a, size_t trace, uint32_t tid)
{
    const cc_trace_thread_t *info = cc_trace_find_thread(&a->traces[trace], tid);
    const char *fn = info && info->created ? cc_function_at(a, trace, info->start_pc) : NULL;
    const char *what = fn ? fn : tid == 0 ? "main thread" : NULL;
    /* Thread ids restart in every process: name the process when there
     * are several. */
    char *process = a->n_traces > 1 ? cc_xasprintf(" of pid %u", a->traces[trace].pid)
                                    : cc_xstrdup("");
    char *label = what ? cc_xasprintf("T%u (%s)%s", tid, what, process)
                       : cc_xasprintf("T%u%s", tid, process);
    free(process);
    return label;
}
