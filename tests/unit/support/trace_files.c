/* Files and traces for the unit tests. See trace_files.h. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/trace_files.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock_table.h"
#include "options.h"
#include "stack.h"
#include "thread.h"
#include "trace.h"

/* ---- whole files ----------------------------------------------------------- */

uint8_t *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

void write_whole_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0); /* a short write may only show here */
}

size_t trace_file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (size_t)st.st_size;
}

/* ---- the trace directory --------------------------------------------------- */

static char trace_dir[PATH_MAX];

const char *make_trace_dir(const char *name)
{
    snprintf(trace_dir, sizeof trace_dir, "%s/ccheck-test-%s.XXXXXX", P_tmpdir, name);
    if (!mkdtemp(trace_dir))
        return NULL;
    if (setenv("CCHECK_DIR", trace_dir, 1) != 0)
        return NULL;
    return trace_dir;
}

const char *trace_dir_file(const char *name)
{
    static char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", trace_dir, name);
    return path;
}

void remove_trace_dir(void)
{
    if (!trace_dir[0])
        return; /* the setup failed before making it */
    DIR *d = opendir(trace_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                unlink(trace_dir_file(e->d_name));
        closedir(d);
    }
    rmdir(trace_dir);
}

const char *own_exe_path(void)
{
    static char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    return exe;
}

/* ---- the runtime, by hand ---------------------------------------------------- */

void start_runtime_by_hand(void)
{
    cc_opt.verbosity = 0;
    cc_lock_table_init();
    cc_stack_init();
}

char *open_new_trace(cc_process_origin_t origin)
{
    assert_int_equal(cc_trace_open(origin), 0);
    char *path = strdup(cc_trace_path());
    assert_non_null(path);
    return path;
}

void write_record_as(cc_thread_t *t, cc_rec_type_t type, cc_rec_header_t *rec, uint32_t size)
{
    cc_current_thread = t;
    cc_trace_write(type, rec, size);
    cc_current_thread = NULL;
}

void write_race_record_as(cc_thread_t *t, const cc_rec_race_t *race, const uint64_t *held)
{
    struct {
        cc_rec_race_t rec;
        uint64_t held[64];
    } buf;
    size_t n_held = (size_t)race->current.n_held + race->previous.n_held;
    assert_true(n_held <= 64);
    buf.rec = *race;
    if (n_held)
        memcpy(buf.held, held, n_held * sizeof *held);
    write_record_as(t, CC_REC_RACE, &buf.rec.h, (uint32_t)(sizeof buf.rec + n_held * sizeof *held));
}

/* ---- reading traces back ---------------------------------------------------- */

void load_trace_or_fail(const char *path, cc_trace_t *t)
{
    char err[512];
    if (cc_trace_load(path, t, err, sizeof err) != 0)
        fail_msg("%s", err);
}

size_t walk_records(const uint8_t *buf, size_t len, rec_pos_t *out, size_t max, size_t *end)
{
    size_t n = 0;
    size_t at = sizeof(cc_trace_header_t);
    while (n < max && at + sizeof(cc_rec_header_t) <= len) {
        cc_rec_header_t h;
        memcpy(&h, buf + at, sizeof h);
        if (h.size < sizeof h || h.size % 8 != 0 || h.size > len - at)
            break;
        out[n++] = (rec_pos_t){at, h.size, h.type};
        at += h.size;
    }
    *end = at;
    return n;
}

struct cc_thread *start_traced_runtime(const char *name)
{
    if (!make_trace_dir(name))
        return NULL;
    start_runtime_by_hand();
    free(open_new_trace(CC_ORIGIN_START));
    cc_threads_init();
    return cc_current_thread;
}

void stop_traced_runtime(void)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    remove_trace_dir();
}

int traced_runtime_teardown(void **state)
{
    (void)state;
    stop_traced_runtime();
    return 0;
}

void run_as(cc_thread_t *t)
{
    cc_lock_order_thread_reset(&t->locks);
    cc_current_thread = t;
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_ON, __ATOMIC_RELEASE);
}

void stop_running_as(cc_thread_t *t)
{
    __atomic_store_n(&cc_runtime_state, CC_RUNTIME_OFF, __ATOMIC_RELEASE);
    cc_current_thread = NULL;
    assert_int_equal(t->guard, 0);
}
