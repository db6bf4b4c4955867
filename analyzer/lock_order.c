/* Lock-order inversions: cycles in the graph whose nodes are lock instances
 * and whose edges are "thread T took `to` while holding `from`".
 *
 * A cycle is a potential deadlock when one record per hop can be chosen so
 * that all those acquisitions could be in progress at once. Filters that
 * remove cycles which cannot deadlock:
 *  - a hop whose `to` was taken by trylock or a timed lock never waits
 *    forever, so such edges never close a cycle;
 *  - two hops from the same thread cannot wait at once (a cycle of one
 *    thread's edges is its own lock order, not an inversion);
 *  - two hops whose threads both held a common lock (a gate) cannot be
 *    inside their acquisitions at once;
 *  - two hops from threads whose lifetimes are ordered by join and create
 *    (the first joined by the thread that then created the second) can
 *    never overlap.
 * Edges are recorded once per thread, at their first occurrence, so only
 * filters that hold for a thread's whole life (thread identity, lifetime)
 * are exact; the gate filter trusts that first occurrence.
 *
 * Cycles of any length are found by a depth-first search from each node
 * over larger nodes only (so each elementary cycle is seen once, from its
 * smallest node), bounded by a step budget so a pathological graph cannot
 * stall the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "xalloc.h"

enum {
    SEARCH_STEP_BUDGET = 2000000,
    MAX_CYCLES = 1000,
};

/* Two graphs are searched. BY_INSTANCE: a node is a lock instance of one
 * trace, which finds every cycle within one run precisely. BY_CLASS: a node
 * is a lock class (cc_lock_class) over all traces, which finds the cycles
 * that only the runs together show; there, a cycle is reported only if it
 * needs records from two traces or more (the rest were found already). */
typedef enum graph_mode { BY_INSTANCE, BY_CLASS } graph_mode_t;

enum { ALL_TRACES = UINT32_MAX };

typedef struct node {
    uint32_t trace; /* ALL_TRACES for a class */
    uint64_t key;   /* lock id, or class */
} node_t;

/* One edge record, between node indices. Sorted by (from, to). */
typedef struct edge_ref {
    uint32_t from, to;
    uint32_t trace;
    uint32_t edge; /* index into the trace's edges */
} edge_ref_t;

typedef struct graph {
    graph_mode_t mode;
    node_t *nodes;
    size_t n_nodes;
    edge_ref_t *refs;
    size_t n_refs;
    size_t *first_ref; /* per node: its first outgoing ref; [n_nodes] = n_refs */
} graph_t;

static int cmp_node(const void *a, const void *b)
{
    const node_t *x = a, *y = b;
    if (x->trace != y->trace)
        return x->trace < y->trace ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

static int cmp_ref(const void *a, const void *b)
{
    const edge_ref_t *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

static node_t node_of(const cc_analysis_t *a, graph_mode_t mode, uint32_t trace, uint64_t lock)
{
    if (mode == BY_INSTANCE)
        return (node_t){trace, lock};
    return (node_t){ALL_TRACES, cc_lock_class(a, trace, lock)};
}

static uint32_t node_index(const graph_t *g, node_t key)
{
    const node_t *n = bsearch(&key, g->nodes, g->n_nodes, sizeof key, cmp_node);
    return (uint32_t)(n - g->nodes);
}

/* Edges that can be part of a deadlock: not a trylock's (it never waits),
 * and not one naming a semaphore that turned out to signal (not a lock). */
static bool can_close_cycle(const cc_trace_t *t, const cc_trace_edge_t *e)
{
    return !(e->flags & CC_EDGE_TO_TRY) && !cc_trace_sem_signals(t, e->from) &&
           !cc_trace_sem_signals(t, e->to);
}

static void build_graph(const cc_analysis_t *a, graph_t *g, graph_mode_t mode)
{
    memset(g, 0, sizeof *g);
    g->mode = mode;
    size_t n_edges = 0;
    for (size_t t = 0; t < a->n_traces; t++)
        n_edges += a->traces[t].n_edges;
    g->nodes = cc_xcalloc(2 * n_edges, sizeof *g->nodes);
    g->refs = cc_xcalloc(n_edges, sizeof *g->refs);
    for (size_t t = 0; t < a->n_traces; t++) {
        const cc_trace_t *trace = &a->traces[t];
        for (size_t i = 0; i < trace->n_edges; i++) {
            if (!can_close_cycle(trace, &trace->edges[i]))
                continue;
            g->nodes[g->n_nodes++] = node_of(a, mode, (uint32_t)t, trace->edges[i].from);
            g->nodes[g->n_nodes++] = node_of(a, mode, (uint32_t)t, trace->edges[i].to);
        }
    }
    qsort(g->nodes, g->n_nodes, sizeof *g->nodes, cmp_node);
    size_t unique = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        if (unique == 0 || cmp_node(&g->nodes[unique - 1], &g->nodes[i]) != 0)
            g->nodes[unique++] = g->nodes[i];
    g->n_nodes = unique;
    for (size_t t = 0; t < a->n_traces; t++) {
        const cc_trace_t *trace = &a->traces[t];
        for (size_t i = 0; i < trace->n_edges; i++) {
            const cc_trace_edge_t *e = &trace->edges[i];
            if (!can_close_cycle(trace, e))
                continue;
            uint32_t from = node_index(g, node_of(a, mode, (uint32_t)t, e->from));
            uint32_t to = node_index(g, node_of(a, mode, (uint32_t)t, e->to));
            if (from != to) /* two locks of one class: no cycle between classes */
                g->refs[g->n_refs++] = (edge_ref_t){from, to, (uint32_t)t, (uint32_t)i};
        }
    }
    qsort(g->refs, g->n_refs, sizeof *g->refs, cmp_ref);
    g->first_ref = cc_xcalloc(g->n_nodes + 1, sizeof *g->first_ref);
    size_t r = 0;
    for (size_t n = 0; n <= g->n_nodes; n++) {
        while (r < g->n_refs && g->refs[r].from < n)
            r++;
        g->first_ref[n] = r;
    }
}

static void free_graph(graph_t *g)
{
    free(g->nodes);
    free(g->refs);
    free(g->first_ref);
}

static const cc_trace_edge_t *edge_of(const cc_analysis_t *a, const edge_ref_t *r)
{
    return &a->traces[r->trace].edges[r->edge];
}

/* A hop of a cycle: the refs [begin, end) all go from one node to the next. */
typedef struct hop {
    size_t begin, end;
    size_t chosen; /* the ref reported for this hop */
} hop_t;

/* True if thread x's whole life came before thread y's: x was joined by
 * the thread that later created y. Nothing x did can overlap with y. */
static bool lifetime_before(const cc_trace_t *t, uint32_t x, uint32_t y)
{
    const cc_trace_thread_t *tx = cc_trace_find_thread(t, x), *ty = cc_trace_find_thread(t, y);
    return tx && ty && tx->joined && ty->created && tx->joiner == ty->creator &&
           tx->join_seq < ty->create_seq;
}

static bool holds(const cc_trace_edge_t *e, uint64_t lock)
{
    if (e->from == lock)
        return true;
    for (uint32_t i = 0; i < e->n_held; i++)
        if (e->held[i].id == lock)
            return true;
    return false;
}

/* Can the two records' threads be inside these acquisitions at once?
 * Not when it is one thread, when one thread's life ended before the
 * other's began, or when both hold a common (gate) lock. */
static bool can_overlap(const cc_analysis_t *a, const edge_ref_t *rx, const edge_ref_t *ry)
{
    if (rx->trace != ry->trace)
        return true; /* different processes (or runs): merged graphs */
    const cc_trace_t *t = &a->traces[rx->trace];
    const cc_trace_edge_t *x = &t->edges[rx->edge], *y = &t->edges[ry->edge];
    if (x->thread == y->thread || lifetime_before(t, x->thread, y->thread) ||
        lifetime_before(t, y->thread, x->thread))
        return false;
    if (holds(y, x->from))
        return false;
    for (uint32_t i = 0; i < x->n_held; i++)
        if (holds(y, x->held[i].id))
            return false;
    return true;
}

/* Can a thread that made edge `waits` block on the lock that the thread of
 * edge `holds` holds? Not when it wants a read lock the other holds for
 * reading: read-read hops do not close a cycle. */
static bool can_block(const cc_trace_edge_t *waits, const cc_trace_edge_t *holds)
{
    return !((waits->flags & CC_EDGE_TO_READ) && (holds->flags & CC_EDGE_FROM_READ));
}

/* Which records a choice may take, by trace (see graph_mode_t). */
typedef enum trace_rule { ONE_TRACE, SEVERAL_TRACES } trace_rule_t;

static bool traces_fit(const graph_t *g, const hop_t *hops, size_t n, trace_rule_t rule)
{
    bool several = false;
    for (size_t i = 1; i < n; i++)
        several |= g->refs[hops[i].chosen].trace != g->refs[hops[0].chosen].trace;
    return several == (rule == SEVERAL_TRACES);
}

/* Picks one record per hop, hops[0..depth) fixed already, such that every
 * pair can overlap and each hop can block on the next: a schedule in which
 * all the hops' threads wait at once, which is a deadlock. Backtracks
 * within a budget. */
static bool choose_from(const cc_analysis_t *a, const graph_t *g, hop_t *hops, size_t n,
                        size_t depth, trace_rule_t rule, long *budget)
{
    if (depth == n)
        return can_block(edge_of(a, &g->refs[hops[n - 1].chosen]),
                         edge_of(a, &g->refs[hops[0].chosen])) &&
               traces_fit(g, hops, n, rule);
    for (size_t r = hops[depth].begin; r < hops[depth].end && --*budget > 0; r++) {
        bool ok = depth == 0 || can_block(edge_of(a, &g->refs[hops[depth - 1].chosen]),
                                          edge_of(a, &g->refs[r]));
        for (size_t j = 0; j < depth && ok; j++)
            ok = can_overlap(a, &g->refs[r], &g->refs[hops[j].chosen]);
        if (!ok)
            continue;
        hops[depth].chosen = r;
        if (choose_from(a, g, hops, n, depth + 1, rule, budget))
            return true;
    }
    return false;
}

/* Chooses the records to report for a cycle, or returns false if it cannot
 * deadlock (or, by class, was found within one trace already). */
static bool choose_records(const cc_analysis_t *a, const graph_t *g, hop_t *hops, size_t n)
{
    long budget = 100000;
    if (g->mode == BY_INSTANCE)
        return choose_from(a, g, hops, n, 0, ONE_TRACE, &budget);
    if (choose_from(a, g, hops, n, 0, ONE_TRACE, &budget))
        return false;
    budget = 100000;
    return choose_from(a, g, hops, n, 0, SEVERAL_TRACES, &budget);
}

static void report_cycle(cc_analysis_t *a, const graph_t *g, hop_t *hops, size_t n)
{
    cc_finding_t *f = cc_report_add_finding(a->report);
    f->category = CC_CATEGORY_DEADLOCK;
    f->kind = "lock-order-inversion";
    f->severity = CC_SEVERITY_ERROR;

    char **labels = cc_xcalloc(n, sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = cc_lock_label(a, g->refs[hops[i].chosen].trace,
                                  edge_of(a, &g->refs[hops[i].chosen])->from, i + 1);

    /* "M1 -> M2 -> M1" and the threads involved. */
    char *cycle = cc_xstrdup("");
    for (size_t i = 0; i <= n; i++) {
        char *next = cc_xasprintf("%s%sM%zu", cycle, i ? " -> " : "", i % n + 1);
        free(cycle);
        cycle = next;
    }
    for (size_t i = 0; i < n; i++) {
        const edge_ref_t *r = &g->refs[hops[i].chosen];
        const cc_trace_edge_t *e = edge_of(a, r);
        cc_add_thread(a, f, r->trace, e->thread);
        char *who = cc_thread_label(a, r->trace, e->thread);
        size_t to = (i + 1) % n;
        cc_add_stack(a, f, r->trace, e->to_stack, "acquire",
                     cc_xasprintf("%s acquired here while holding %s, by thread %s", labels[to],
                                  labels[i], who),
                     e->thread);
        cc_add_stack(a, f, r->trace, e->from_stack, "held",
                     cc_xasprintf("%s acquired earlier here, by thread %s", labels[i], who),
                     e->thread);
        free(who);
    }
    char *locks = cc_xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = cc_xasprintf("%s%s%s", locks, i ? (i + 1 == n ? " and " : ", ") : "",
                                  labels[i]);
        free(locks);
        locks = next;
    }
    f->message = cc_xasprintf("lock-order inversion (potential deadlock): cycle %s: %s are "
                              "taken in an order that can deadlock",
                              cycle, locks);
    free(locks);
    free(cycle);
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

typedef struct search {
    cc_analysis_t *a;
    const graph_t *g;
    uint32_t *path; /* nodes on the current path */
    hop_t *hops;
    bool *on_path;
    size_t depth;
    long steps;
    size_t cycles;
} search_t;

/* Depth-first from path[depth-1], looking for a way back to path[0] through
 * nodes larger than it. */
static void search_from(search_t *s)
{
    const graph_t *g = s->g;
    uint32_t start = s->path[0], here = s->path[s->depth - 1];
    size_t r = g->first_ref[here];
    while (r < g->first_ref[here + 1]) {
        if (--s->steps < 0 || s->cycles >= MAX_CYCLES)
            return;
        uint32_t next = g->refs[r].to;
        size_t end = r;
        while (end < g->first_ref[here + 1] && g->refs[end].to == next)
            end++;
        s->hops[s->depth - 1] = (hop_t){r, end, r};
        if (next == start) {
            if (choose_records(s->a, g, s->hops, s->depth)) {
                report_cycle(s->a, g, s->hops, s->depth);
                s->cycles++;
            }
        } else if (next > start && !s->on_path[next]) {
            s->on_path[next] = true;
            s->path[s->depth++] = next;
            search_from(s);
            s->depth--;
            s->on_path[next] = false;
        }
        r = end;
    }
}

static void search_graph(cc_analysis_t *a, graph_mode_t mode)
{
    graph_t g;
    build_graph(a, &g, mode);
    search_t s = {.a = a, .g = &g, .steps = SEARCH_STEP_BUDGET};
    s.path = cc_xcalloc(g.n_nodes + 1, sizeof *s.path);
    s.hops = cc_xcalloc(g.n_nodes + 1, sizeof *s.hops);
    s.on_path = cc_xcalloc(g.n_nodes + 1, sizeof *s.on_path);
    for (uint32_t n = 0; n < g.n_nodes && s.steps > 0; n++) {
        s.path[0] = n;
        s.depth = 1;
        search_from(&s);
    }
    if (s.steps <= 0 && !a->quiet && mode == BY_INSTANCE)
        fprintf(stderr, "ccheck: warning: the lock-order graph is too large to search whole; "
                        "some cycles may be missing\n");
    free(s.path);
    free(s.hops);
    free(s.on_path);
    free_graph(&g);
}

void cc_analyze_lock_order(cc_analysis_t *a)
{
    search_graph(a, BY_INSTANCE);
    if (a->n_traces > 1)
        search_graph(a, BY_CLASS);
}
