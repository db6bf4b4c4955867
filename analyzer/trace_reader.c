/* The trace reader. See trace_reader.h; the format is
 * include/ccheck/trace_format.h.
 *
 * Every length in a record is checked against the record's size before it
 * is used, so no input can make the reader read out of bounds or allocate
 * more than the file's size allows. */
#include "trace_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

typedef struct loader {
    cc_trace_t *trace;
    FILE *file;
    char *err;
    size_t err_size;
    uint64_t offset; /* of the record being read */
    size_t cap_modules, cap_stacks, cap_threads, cap_locks, cap_edges, cap_misuses, cap_stucks,
        cap_signal_sems, cap_missed, cap_races;
    uint32_t *thread_index; /* tid -> index+1 hash, open addressing */
    /* Waiting records since the last end record: they describe the end
     * record that follows them. */
    cc_rec_thread_waiting_t *waiting;
    size_t n_waiting, cap_waiting;
    size_t thread_index_cap;
} loader_t;

static int fail(loader_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(loader_t *l, const char *fmt, ...)
{
    int n = snprintf(l->err, l->err_size, "%s: ", l->trace->path);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < l->err_size)
        vsnprintf(l->err + n, l->err_size - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int malformed(loader_t *l, const char *what, const char *why)
{
    return fail(l, "corrupt %s record at offset %llu: %s", what, (unsigned long long)l->offset, why);
}

/* Grows *array (of elem bytes) to hold one more than *n; returns the slot. */
static void *push(void **array, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        *array = cc_xreallocarray(*array, *cap, elem);
    }
    void *slot = (char *)*array + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

static cc_trace_thread_t *thread_of(loader_t *l, uint32_t tid)
{
    cc_trace_t *t = l->trace;
    if (4 * (t->n_threads + 1) > 3 * l->thread_index_cap) {
        size_t cap = l->thread_index_cap ? 2 * l->thread_index_cap : 64;
        uint32_t *index = cc_xcalloc(cap, sizeof *index);
        for (size_t i = 0; i < t->n_threads; i++) {
            size_t at = (t->threads[i].tid * 2654435761u) & (cap - 1);
            while (index[at])
                at = (at + 1) & (cap - 1);
            index[at] = (uint32_t)i + 1;
        }
        free(l->thread_index);
        l->thread_index = index;
        l->thread_index_cap = cap;
    }
    size_t mask = l->thread_index_cap - 1;
    size_t at = (tid * 2654435761u) & mask;
    for (; l->thread_index[at]; at = (at + 1) & mask)
        if (t->threads[l->thread_index[at] - 1].tid == tid)
            return &t->threads[l->thread_index[at] - 1];
    cc_trace_thread_t *th = push((void **)&t->threads, &t->n_threads, &l->cap_threads, sizeof *th);
    th->tid = tid;
    l->thread_index[at] = (uint32_t)t->n_threads;
    return th;
}

static char *copy_string(const uint8_t *p, size_t len)
{
    char *s = cc_xmalloc(len + 1);
    memcpy(s, p, len);
    s[len] = 0;
    return s;
}

/* Each parser gets the whole record (header included) and its size. */
static int parse_process(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_process_t r;
    memcpy(&r, rec, sizeof r);
    if ((uint64_t)r.exe_len + r.argv_len > size - sizeof r)
        return malformed(l, "process", "its strings run past the record");
    cc_trace_t *t = l->trace;
    t->pid = r.pid;
    t->ppid = r.ppid;
    t->origin = r.origin;
    free(t->exe);
    t->exe = copy_string(rec + sizeof r, r.exe_len);
    return 0;
}

static int parse_module(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_module_t r;
    memcpy(&r, rec, sizeof r);
    if (r.build_id_len > CC_TRACE_MAX_BUILD_ID)
        return malformed(l, "module", "build id too long");
    if ((uint64_t)r.build_id_len + r.path_len > size - sizeof r)
        return malformed(l, "module", "its build id and path run past the record");
    if (r.start >= r.end)
        return malformed(l, "module", "empty address range");
    cc_trace_t *t = l->trace;
    cc_module_info_t *m = push((void **)&t->modules, &t->n_modules, &l->cap_modules, sizeof *m);
    uint8_t *build_id = cc_xmalloc(r.build_id_len ? r.build_id_len : 1);
    memcpy(build_id, rec + sizeof r, r.build_id_len);
    m->build_id = build_id;
    m->build_id_len = r.build_id_len;
    m->path = copy_string(rec + sizeof r + r.build_id_len, r.path_len);
    m->bias = r.bias;
    m->start = r.start;
    m->end = r.end;
    return 0;
}

static int parse_stack(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_stack_t r;
    memcpy(&r, rec, sizeof r);
    if (r.id == CC_TRACE_NO_STACK)
        return malformed(l, "stack", "stack id 0 is reserved");
    if (r.depth == 0 || r.depth > CC_TRACE_MAX_FRAMES)
        return malformed(l, "stack", "depth out of range");
    if ((uint64_t)r.depth * 8 > size - sizeof r)
        return malformed(l, "stack", "its frames run past the record");
    cc_trace_t *t = l->trace;
    cc_trace_stack_t *s = push((void **)&t->stacks, &t->n_stacks, &l->cap_stacks, sizeof *s);
    s->id = r.id;
    s->depth = r.depth;
    s->pcs = cc_xmalloc(r.depth * sizeof *s->pcs);
    memcpy(s->pcs, rec + sizeof r, r.depth * sizeof *s->pcs);
    return 0;
}

static int parse_thread_create(loader_t *l, const uint8_t *rec)
{
    cc_rec_thread_create_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_thread_t *th = thread_of(l, r.child);
    th->created = true;
    th->create_seq = l->trace->records;
    th->creator = r.h.thread;
    th->flags = r.flags;
    th->start_pc = r.start_pc;
    th->create_stack = r.create_stack;
    if (r.flags & CC_THREAD_DETACHED)
        th->detached = true;
    return 0;
}

static int parse_thread_start(loader_t *l, const uint8_t *rec)
{
    cc_rec_thread_start_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_thread_t *th = thread_of(l, r.h.thread);
    th->started = true;
    th->os_tid = r.os_tid;
    return 0;
}

static int parse_thread_exit(loader_t *l, const uint8_t *rec)
{
    cc_rec_thread_exit_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_thread_t *th = thread_of(l, r.h.thread);
    th->exited = true;
    th->exit_seq = l->trace->records;
    th->exit_how = r.how;
    th->held_at_exit = r.held_locks;
    return 0;
}

static int parse_thread_target(loader_t *l, const uint8_t *rec, cc_rec_type_t type)
{
    cc_rec_thread_join_t r; /* the detach record has the same layout */
    memcpy(&r, rec, sizeof r);
    cc_trace_thread_t *th = thread_of(l, r.target);
    if (type == CC_REC_THREAD_JOIN) {
        th->joined = true;
        th->join_seq = l->trace->records;
        th->joiner = r.h.thread;
        th->join_stack = r.stack;
    } else {
        th->detached = true;
        th->detach_stack = r.stack;
        th->detacher = r.h.thread;
    }
    return 0;
}

static int parse_lock(loader_t *l, const uint8_t *rec)
{
    cc_rec_lock_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_t *t = l->trace;
    cc_trace_lock_t *lk = push((void **)&t->locks, &t->n_locks, &l->cap_locks, sizeof *lk);
    lk->id = r.id;
    lk->addr = r.addr;
    lk->kind = r.kind;
    lk->origin = r.origin;
    lk->site_stack = r.site_stack;
    return 0;
}

static int parse_lock_edge(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_lock_edge_t r;
    memcpy(&r, rec, sizeof r);
    if ((uint64_t)r.n_held * sizeof(cc_held_lock_t) > size - sizeof r)
        return malformed(l, "lock edge", "its held locks run past the record");
    cc_trace_t *t = l->trace;
    cc_trace_edge_t *e = push((void **)&t->edges, &t->n_edges, &l->cap_edges, sizeof *e);
    e->thread = r.h.thread;
    e->from = r.from;
    e->to = r.to;
    e->from_stack = r.from_stack;
    e->to_stack = r.to_stack;
    e->flags = r.flags;
    e->n_held = r.n_held;
    e->held = cc_xmalloc((r.n_held ? r.n_held : 1) * sizeof *e->held);
    memcpy(e->held, rec + sizeof r, r.n_held * sizeof *e->held);
    return 0;
}

static int parse_misuse(loader_t *l, const uint8_t *rec)
{
    cc_rec_misuse_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_t *t = l->trace;
    cc_trace_misuse_t *m = push((void **)&t->misuses, &t->n_misuses, &l->cap_misuses, sizeof *m);
    *m = (cc_trace_misuse_t){.thread = r.h.thread, .kind = r.kind, .stack = r.stack,
                             .lock = r.lock, .addr = r.addr, .other_thread = r.other_thread,
                             .other_stack = r.other_stack, .result = r.result,
                             .detail = r.detail};
    return 0;
}

static int parse_stuck(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_stuck_t r;
    memcpy(&r, rec, sizeof r);
    if (r.n_threads == 0 || (uint64_t)r.n_threads * sizeof(cc_stuck_thread_t) > size - sizeof r)
        return malformed(l, "stuck", "its thread list is empty or runs past the record");
    cc_trace_t *t = l->trace;
    cc_trace_stuck_t *s = push((void **)&t->stucks, &t->n_stucks, &l->cap_stucks, sizeof *s);
    s->verdict = r.verdict;
    s->blocked_ms = r.blocked_ms;
    s->n_threads = r.n_threads;
    s->threads = cc_xmalloc(r.n_threads * sizeof *s->threads);
    memcpy(s->threads, rec + sizeof r, r.n_threads * sizeof *s->threads);
    return 0;
}

static int parse_sem_signals(loader_t *l, const uint8_t *rec)
{
    cc_rec_sem_signals_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_t *t = l->trace;
    uint64_t *id = push((void **)&t->signal_sems, &t->n_signal_sems, &l->cap_signal_sems, sizeof *id);
    *id = r.lock;
    return 0;
}

static int parse_missed_signal(loader_t *l, const uint8_t *rec)
{
    cc_trace_t *t = l->trace;
    cc_rec_missed_signal_t *m = push((void **)&t->missed, &t->n_missed, &l->cap_missed, sizeof *m);
    memcpy(m, rec, sizeof *m);
    return 0;
}

/* What is wrong with one access of a race record, or NULL. */
static const char *race_access_problem(const cc_race_access_t *x)
{
    if (x->size == 0)
        return "an access of no bytes";
    if (x->addr + (x->size - 1) < x->addr)
        return "an access that wraps around the address space";
    if (x->flags & ~(uint32_t)(CC_ACCESS_WRITE | CC_ACCESS_ATOMIC | CC_ACCESS_FREE))
        return "unknown access flags";
    if ((x->flags & CC_ACCESS_FREE) && (x->flags & CC_ACCESS_ATOMIC))
        return "a free that is atomic";
    return NULL;
}

static bool race_writes(const cc_race_access_t *x)
{
    return (x->flags & (CC_ACCESS_WRITE | CC_ACCESS_FREE)) != 0;
}

static bool race_in_block(const cc_race_access_t *x, const cc_rec_race_t *r)
{
    return x->addr + (x->size - 1) >= r->mem_base && x->addr <= r->mem_base + (r->mem_size - 1);
}

/* Every field is checked, including what the analysis would only word
 * oddly (a race of a thread with itself, or of two reads): such a record
 * is a writer's bug, and reporting it would be a false race. */
static const char *race_problem(const cc_rec_race_t *r, uint32_t size)
{
    if (((uint64_t)r->current.n_held + r->previous.n_held) * sizeof(uint64_t) > size - sizeof *r)
        return "its held locks run past the record";
    const char *why = race_access_problem(&r->current);
    if (why || (why = race_access_problem(&r->previous)))
        return why;
    if (r->current.thread == CC_TRACE_NO_THREAD)
        return "the current access has no thread";
    if (r->current.thread == r->previous.thread)
        return "both accesses are by one thread";
    if (!race_writes(&r->current) && !race_writes(&r->previous))
        return "neither access is a write";
    switch ((cc_race_memory_t)r->memory) {
    case CC_MEMORY_UNKNOWN:
    case CC_MEMORY_GLOBAL: return NULL;
    case CC_MEMORY_HEAP:
        if (r->mem_size == 0 || r->mem_base + (r->mem_size - 1) < r->mem_base)
            return "an empty heap block, or one that wraps around the address space";
        /* The writer names the block of the earlier access's bytes; a
         * range access may begin before it. */
        if (!race_in_block(&r->current, r) && !race_in_block(&r->previous, r))
            return "neither access lies in its heap block";
        return NULL;
    case CC_MEMORY_STACK:
        return r->mem_thread == CC_TRACE_NO_THREAD ? "a thread stack without its thread" : NULL;
    case CC_MEMORY_FD:
        return r->mem_base > INT32_MAX ? "a file descriptor beyond any an int can hold" : NULL;
    }
    return "unknown memory kind";
}

static int parse_race(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_race_t r;
    memcpy(&r, rec, sizeof r);
    const char *why = race_problem(&r, size);
    if (why)
        return malformed(l, "race", why);
    cc_trace_t *t = l->trace;
    cc_trace_race_t *race = push((void **)&t->races, &t->n_races, &l->cap_races, sizeof *race);
    race->rec = r;
    size_t n_held = (size_t)r.current.n_held + r.previous.n_held;
    if (n_held) {
        race->held = cc_xmalloc(n_held * sizeof *race->held);
        memcpy(race->held, rec + sizeof r, n_held * sizeof *race->held);
    }
    return 0;
}

static int parse_thread_waiting(loader_t *l, const uint8_t *rec)
{
    cc_rec_thread_waiting_t *w =
        push((void **)&l->waiting, &l->n_waiting, &l->cap_waiting, sizeof *w);
    memcpy(w, rec, sizeof *w);
    return 0;
}

static int parse_process_end(loader_t *l, const uint8_t *rec)
{
    cc_rec_process_end_t r;
    memcpy(&r, rec, sizeof r);
    cc_trace_t *t = l->trace;
    for (size_t i = 0; i < t->n_threads; i++)
        t->threads[i].waiting_at_end = CC_WAIT_NONE;
    for (size_t i = 0; i < l->n_waiting; i++)
        thread_of(l, l->waiting[i].tid)->waiting_at_end = l->waiting[i].kind;
    l->n_waiting = 0;
    t->has_end = true;
    t->end_reason = r.reason;
    t->end_thread = r.h.thread;
    t->end_status = r.status;
    t->end_seq = t->records;
    return 0;
}

/* The fixed size of each record type, for the size check. */
static const uint32_t fixed_size[CC_REC_TYPE_COUNT] = {
    [CC_REC_PROCESS] = sizeof(cc_rec_process_t),
    [CC_REC_MODULE] = sizeof(cc_rec_module_t),
    [CC_REC_STACK] = sizeof(cc_rec_stack_t),
    [CC_REC_THREAD_CREATE] = sizeof(cc_rec_thread_create_t),
    [CC_REC_THREAD_START] = sizeof(cc_rec_thread_start_t),
    [CC_REC_THREAD_EXIT] = sizeof(cc_rec_thread_exit_t),
    [CC_REC_THREAD_JOIN] = sizeof(cc_rec_thread_join_t),
    [CC_REC_THREAD_DETACH] = sizeof(cc_rec_thread_detach_t),
    [CC_REC_LOCK] = sizeof(cc_rec_lock_t),
    [CC_REC_LOCK_EDGE] = sizeof(cc_rec_lock_edge_t),
    [CC_REC_PROCESS_END] = sizeof(cc_rec_process_end_t),
    [CC_REC_THREAD_WAITING] = sizeof(cc_rec_thread_waiting_t),
    [CC_REC_MISUSE] = sizeof(cc_rec_misuse_t),
    [CC_REC_STUCK] = sizeof(cc_rec_stuck_t),
    [CC_REC_SEM_SIGNALS] = sizeof(cc_rec_sem_signals_t),
    [CC_REC_MISSED_SIGNAL] = sizeof(cc_rec_missed_signal_t),
    [CC_REC_RACE] = sizeof(cc_rec_race_t),
};

static int parse_record(loader_t *l, const uint8_t *rec, uint32_t size)
{
    cc_rec_header_t h;
    memcpy(&h, rec, sizeof h);
    if (h.type == 0 || h.type >= CC_REC_TYPE_COUNT) {
        l->trace->unknown_records++; /* a newer writer's addition */
        return 0;
    }
    if (size < fixed_size[h.type])
        return malformed(l, "trace", "record shorter than its type's fixed part");
    switch ((cc_rec_type_t)h.type) {
    case CC_REC_PROCESS: return parse_process(l, rec, size);
    case CC_REC_MODULE: return parse_module(l, rec, size);
    case CC_REC_STACK: return parse_stack(l, rec, size);
    case CC_REC_THREAD_CREATE: return parse_thread_create(l, rec);
    case CC_REC_THREAD_START: return parse_thread_start(l, rec);
    case CC_REC_THREAD_EXIT: return parse_thread_exit(l, rec);
    case CC_REC_THREAD_JOIN:
    case CC_REC_THREAD_DETACH: return parse_thread_target(l, rec, (cc_rec_type_t)h.type);
    case CC_REC_LOCK: return parse_lock(l, rec);
    case CC_REC_LOCK_EDGE: return parse_lock_edge(l, rec, size);
    case CC_REC_PROCESS_END: return parse_process_end(l, rec);
    case CC_REC_THREAD_WAITING: return parse_thread_waiting(l, rec);
    case CC_REC_MISUSE: return parse_misuse(l, rec);
    case CC_REC_STUCK: return parse_stuck(l, rec, size);
    case CC_REC_SEM_SIGNALS: return parse_sem_signals(l, rec);
    case CC_REC_MISSED_SIGNAL: return parse_missed_signal(l, rec);
    case CC_REC_RACE: return parse_race(l, rec, size);
    case CC_REC_TYPE_COUNT: break;
    }
    return 0;
}

static int read_header(loader_t *l)
{
    cc_trace_header_t *h = &l->trace->header;
    size_t n = fread(h, 1, sizeof *h, l->file);
    if (n < CC_TRACE_MAGIC_LEN || memcmp(h->magic, CC_TRACE_MAGIC, CC_TRACE_MAGIC_LEN) != 0)
        return fail(l, "not a ccheck trace (bad magic)");
    if (n < sizeof *h)
        return fail(l, "trace header is cut short (%zu of %zu bytes)", n, sizeof *h);
    if (h->version != CC_TRACE_VERSION)
        return fail(l, "trace format version %u; this ccheck reads version %u", h->version,
                    CC_TRACE_VERSION);
    if (h->header_size != sizeof *h)
        return fail(l, "trace header size %u, expected %zu", h->header_size, sizeof *h);
    l->trace->pid = h->pid;
    l->trace->ppid = h->ppid;
    return 0;
}

static int read_records(loader_t *l)
{
    cc_trace_t *t = l->trace;
    uint8_t *buf = cc_xmalloc(CC_TRACE_MAX_RECORD);
    int rc = 0;
    l->offset = sizeof t->header;
    for (;;) {
        size_t n = fread(buf, 1, sizeof(cc_rec_header_t), l->file);
        if (n == 0)
            break;
        if (n < sizeof(cc_rec_header_t)) {
            t->truncated = true;
            break;
        }
        cc_rec_header_t h;
        memcpy(&h, buf, sizeof h);
        if (h.size < sizeof h || h.size % 8 != 0 || h.size > CC_TRACE_MAX_RECORD || h.zero != 0) {
            rc = fail(l, "corrupt record header at offset %llu", (unsigned long long)l->offset);
            break;
        }
        size_t payload = h.size - sizeof h;
        if (fread(buf + sizeof h, 1, payload, l->file) < payload) {
            t->truncated = true;
            break;
        }
        if (cc_trace_crc32(buf + sizeof h, payload) != h.crc) {
            rc = fail(l, "corrupt record at offset %llu (checksum mismatch)",
                      (unsigned long long)l->offset);
            break;
        }
        if ((rc = parse_record(l, buf, h.size)) != 0)
            break;
        t->records++;
        l->offset += h.size;
    }
    if (rc == 0 && ferror(l->file))
        rc = fail(l, "read error: %s", strerror(errno));
    t->valid_bytes = l->offset;
    free(buf);
    return rc;
}

static int cmp_stack(const void *a, const void *b)
{
    uint32_t x = ((const cc_trace_stack_t *)a)->id, y = ((const cc_trace_stack_t *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_thread(const void *a, const void *b)
{
    uint32_t x = ((const cc_trace_thread_t *)a)->tid, y = ((const cc_trace_thread_t *)b)->tid;
    return (x > y) - (x < y);
}

static int cmp_lock(const void *a, const void *b)
{
    uint64_t x = ((const cc_trace_lock_t *)a)->id, y = ((const cc_trace_lock_t *)b)->id;
    return (x > y) - (x < y);
}

/* qsort and bsearch want a non-null base even for zero elements; an empty
 * table here is NULL. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static void *find(const void *key, const void *base, size_t n, size_t size,
                  int (*cmp)(const void *, const void *))
{
    return n ? bsearch(key, base, n, size, cmp) : NULL;
}

int cc_trace_load(const char *path, cc_trace_t *trace, char *err, size_t err_size)
{
    memset(trace, 0, sizeof *trace);
    trace->path = cc_xstrdup(path);
    trace->exe = cc_xstrdup("");
    loader_t l = {.trace = trace, .err = err, .err_size = err_size};
    l.file = fopen(path, "rb");
    if (!l.file)
        return fail(&l, "cannot open: %s", strerror(errno));
    int rc = read_header(&l);
    if (rc == 0)
        rc = read_records(&l);
    fclose(l.file);
    free(l.thread_index);
    free(l.waiting);
    /* Sorted for lookups; qsort keeps nothing stable, so a duplicate id
     * (a fork child re-writing a stack) resolves to either copy, which
     * are identical. */
    sort(trace->stacks, trace->n_stacks, sizeof *trace->stacks, cmp_stack);
    sort(trace->threads, trace->n_threads, sizeof *trace->threads, cmp_thread);
    sort(trace->locks, trace->n_locks, sizeof *trace->locks, cmp_lock);
    return rc;
}

void cc_trace_free(cc_trace_t *trace)
{
    for (size_t i = 0; i < trace->n_modules; i++) {
        free((void *)trace->modules[i].path);
        free((void *)trace->modules[i].build_id);
    }
    for (size_t i = 0; i < trace->n_stacks; i++)
        free(trace->stacks[i].pcs);
    for (size_t i = 0; i < trace->n_edges; i++)
        free(trace->edges[i].held);
    for (size_t i = 0; i < trace->n_stucks; i++)
        free(trace->stucks[i].threads);
    for (size_t i = 0; i < trace->n_races; i++)
        free(trace->races[i].held);
    free(trace->races);
    free(trace->misuses);
    free(trace->signal_sems);
    free(trace->missed);
    free(trace->stucks);
    free(trace->modules);
    free(trace->stacks);
    free(trace->threads);
    free(trace->locks);
    free(trace->edges);
    free(trace->exe);
    free(trace->path);
    memset(trace, 0, sizeof *trace);
}

const cc_trace_stack_t *cc_trace_find_stack(const cc_trace_t *trace, uint32_t id)
{
    cc_trace_stack_t key = {.id = id};
    return find(&key, trace->stacks, trace->n_stacks, sizeof key, cmp_stack);
}

const cc_trace_thread_t *cc_trace_find_thread(const cc_trace_t *trace, uint32_t tid)
{
    cc_trace_thread_t key = {.tid = tid};
    return find(&key, trace->threads, trace->n_threads, sizeof key, cmp_thread);
}

bool cc_trace_sem_signals(const cc_trace_t *trace, uint64_t id)
{
    for (size_t i = 0; i < trace->n_signal_sems; i++)
        if (trace->signal_sems[i] == id)
            return true;
    return false;
}

const cc_trace_lock_t *cc_trace_find_lock(const cc_trace_t *trace, uint64_t id)
{
    cc_trace_lock_t key = {.id = id};
    return find(&key, trace->locks, trace->n_locks, sizeof key, cmp_lock);
}
