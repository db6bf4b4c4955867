/* The trace writer.
 *
 * Rules:
 *  - Each record is one write(2) on an O_APPEND descriptor: records of
 *    different threads never interleave, and a kill -9 loses nothing that a
 *    write had returned from. No buffering, so there is nothing to flush at
 *    exit, in a signal handler, or before exec.
 *  - Only raw syscalls: this runs between fork and exec and in signal
 *    handlers.
 *  - The descriptor is O_CLOEXEC: an exec'd image opens its own trace. */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "modules.h"
#include "options.h"
#include "thread.h"
#include "util.h"

static struct {
    int fd;
    uint32_t generation;
    int ended; /* the closing message was printed */
    char path[PATH_MAX];
} trace = {.fd = -1};

uint32_t cc_trace_generation(void) { return __atomic_load_n(&trace.generation, __ATOMIC_ACQUIRE); }
const char *cc_trace_path(void) { return trace.path; }

void cc_trace_write(cc_rec_type_t type, cc_rec_header_t *record, uint32_t size)
{
    if (trace.fd < 0)
        return;
    uint32_t padded = cc_trace_pad8(size);
    memset((char *)record + size, 0, padded - size);
    record->size = padded;
    record->type = (uint16_t)type;
    record->zero = 0;
    cc_thread_t *t = cc_current_thread;
    record->thread = t ? t->tid : CC_TRACE_NO_THREAD;
    record->crc = cc_trace_crc32(record + 1, padded - sizeof *record);
    cc_write_all(trace.fd, record, padded);
}

/* Reads a whole small /proc file with raw syscalls. Returns its length. */
static size_t read_proc(const char *path, char *buf, size_t size)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t len = 0;
    while (len < size) {
        long n = syscall(SYS_read, fd, buf + len, size - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    syscall(SYS_close, fd);
    return len;
}

static void write_process_record(cc_process_origin_t origin)
{
    static struct {
        cc_rec_process_t rec;
        char text[PATH_MAX + 8192];
    } buf; /* static: too big for small thread stacks; only one writer
              (constructor or fork child) at a time. */
    long exe_len = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf.text, PATH_MAX);
    if (exe_len < 0)
        exe_len = 0;
    size_t argv_len = read_proc("/proc/self/cmdline", buf.text + exe_len, 8192);
    buf.rec.pid = (uint32_t)getpid();
    buf.rec.ppid = (uint32_t)getppid();
    buf.rec.origin = origin;
    buf.rec.exe_len = (uint32_t)exe_len;
    buf.rec.argv_len = (uint32_t)argv_len;
    buf.rec.reserved = 0;
    cc_trace_write(CC_REC_PROCESS, &buf.rec.h,
                   (uint32_t)(sizeof buf.rec + (size_t)exe_len + argv_len));
}

static const char *exe_name(char *buf, size_t size)
{
    long n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return "unknown";
    buf[n] = 0;
    const char *slash = strrchr(buf, '/');
    return slash ? slash + 1 : buf;
}

static int create_file(const char *dir, const char *exe, int pid)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        /* An exec'd image keeps the pid: number the next trace. */
        if (attempt == 0)
            cc_format(trace.path, sizeof trace.path, "%s/ccheck.%s.%d.trace", dir, exe, pid);
        else
            cc_format(trace.path, sizeof trace.path, "%s/ccheck.%s.%d.%d.trace", dir, exe, pid,
                      attempt);
        int fd = (int)syscall(SYS_openat, AT_FDCWD, trace.path,
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC,
                              0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

int cc_trace_open(cc_process_origin_t origin)
{
    int saved_errno = errno;
    if (trace.fd >= 0)
        syscall(SYS_close, trace.fd);
    trace.fd = -1;
    const char *dir = getenv("CCHECK_DIR");
    if (!dir || !*dir)
        dir = ".";
    char exe_buf[PATH_MAX];
    int fd = create_file(dir, exe_name(exe_buf, sizeof exe_buf), getpid());
    if (fd < 0) {
        cc_log("cannot create a trace in %s (errno %d: %s); running without ccheck", dir, errno,
               strerror(errno));
        errno = saved_errno;
        return -1;
    }
    cc_trace_header_t header;
    memset(&header, 0, sizeof header);
    memcpy(header.magic, CC_TRACE_MAGIC, CC_TRACE_MAGIC_LEN);
    header.version = CC_TRACE_VERSION;
    header.header_size = sizeof header;
    header.pid = (uint32_t)getpid();
    header.ppid = (uint32_t)getppid();
    header.start_realtime_ns = cc_realtime_ns();
    header.start_monotonic_ns = cc_monotonic_ns();
    if (cc_write_all(fd, &header, sizeof header) != 0) {
        cc_log("cannot write the trace %s (errno %d); running without ccheck", trace.path, errno);
        syscall(SYS_close, fd);
        errno = saved_errno;
        return -1;
    }
    trace.fd = fd;
    __atomic_store_n(&trace.ended, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&trace.generation, 1, __ATOMIC_ACQ_REL);
    write_process_record(origin);
    cc_modules_write_all();
    errno = saved_errno;
    return 0;
}

void cc_trace_end(cc_end_reason_t reason, int status)
{
    if (trace.fd < 0)
        return;
    cc_rec_process_end_t rec;
    rec.reason = reason;
    rec.status = status;
    cc_trace_write(CC_REC_PROCESS_END, &rec.h, sizeof rec);
    if (cc_opt.verbosity >= 1 && !__atomic_exchange_n(&trace.ended, 1, __ATOMIC_ACQ_REL))
        cc_log("trace written to %s; read it with: ccheck report %s", trace.path, trace.path);
}
