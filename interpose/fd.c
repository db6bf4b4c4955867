/* File descriptors, for data races (runtime/race/fd.c holds the model):
 *  - happens-before through them: a write-like call releases on the
 *    descriptor's clock before the real call, and a read-like call
 *    acquires it after the real call returned data (or end of file), so
 *    what one thread did before writing to a pipe, a socket or an eventfd
 *    is ordered before what another does after reading from it; epoll_ctl
 *    releases on the epoll instance's clock and epoll_wait acquires it;
 *  - races of a use of a descriptor with its close in another thread;
 *  - the data: a write-like call reads the bytes it sent, a read-like call
 *    writes the bytes it received (as the libc_mem.c interposers do).
 * The set is what ThreadSanitizer follows, less the rarer makers of
 * descriptors (signalfd, inotify, tmpfile, opendir), epoll_pwait2 (not in
 * glibc before 2.35) and the calls that only use one (fstat, bind,
 * listen).
 *
 * Rules:
 *  - The result and errno are the real call's; the runtime reads the
 *    program's structures (iovecs, message headers) only after the call
 *    succeeded, when the kernel has read them too, and never blocks.
 *  - With race detection off, the cost is one predictable branch, and the
 *    real call is a tail call.
 *  - The runtime's own I/O (the trace, /proc reads) uses raw syscalls and
 *    never comes through here; a library call made inside the guard
 *    (libunwind opening a file) passes straight through.
 *  - A release comes before the real write-like call: once the data is in
 *    the kernel, a reader may have it. A close is recorded before the real
 *    close: after it, another thread may get the same number. */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "interpose.h"

/* The fortified entry points are libc's ABI, in no header. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t room);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t offset, size_t room);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t offset, size_t room);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t room, int flags);
ssize_t __recvfrom_chk(int fd, void *__restrict buf, size_t n, size_t room, int flags,
                       __SOCKADDR_ARG addr, socklen_t *__restrict addr_len);

/* The first n bytes of the vector's data: the elements it filled (or
 * sent) in order, the last one perhaps in part. */
static void iov_access(cc_thread_t *t, const struct iovec *iov, size_t count, size_t n,
                       bool write, uint64_t pc)
{
    for (size_t i = 0; i < count && n > 0; i++) {
        size_t part = iov[i].iov_len < n ? iov[i].iov_len : n;
        cc_race_range(t, iov[i].iov_base, part, write, pc);
        n -= part;
    }
}
#define IOV(iov, count, n, write) iov_access(t_, (iov), (size_t)(count), (size_t)(n), (write), pc_)

/* Descriptors passed in an SCM_RIGHTS message are new in this process. */
static void received_fds(cc_thread_t *t, struct msghdr *msg, uint64_t pc)
{
    if (msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0))
            continue;
        const int *fds = (const int *)CMSG_DATA(c);
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++)
            cc_race_fd_made(t, fds[i], CC_FD_SYNC_OWN, pc);
    }
}

/* A message of n bytes: its data and its control data (what the kernel
 * wrote into them for a receive, read from them for a send), and for a
 * send its address. A receive's msg_namelen is the sender address's
 * length, which may be more than the buffer that got it. */
static void msg_access(cc_thread_t *t, struct msghdr *msg, size_t n, bool write, uint64_t pc)
{
    iov_access(t, msg->msg_iov, msg->msg_iovlen, n, write, pc);
    cc_race_range(t, msg->msg_control, msg->msg_controllen, write, pc);
    if (write)
        received_fds(t, msg, pc);
    else
        cc_race_range(t, msg->msg_name, msg->msg_namelen, false, pc);
}

/* The messages that sendmmsg sent or recvmmsg received, each of its
 * msg_len bytes. */
static void mmsg_access(cc_thread_t *t, struct mmsghdr *v, int sent, bool write, uint64_t pc)
{
    for (int i = 0; i < sent; i++) {
        msg_access(t, &v[i].msg_hdr, v[i].msg_len, write, pc);
        if (write)
            cc_race_range(t, &v[i].msg_len, sizeof v[i].msg_len, true, pc);
    }
}
#define MMSG(v, sent, write) mmsg_access(t_, (v), (sent), (write), pc_)

/* ---- reads and writes -------------------------------------------------------- */

/* A read-like call on fd: a use before it; after it returned `result`
 * (bytes, or messages) with no error, `writes` record what it filled in
 * and it acquires the descriptor's clock. */
#define RECEIVING(fd) CC_RACE_CHECKED(cc_race_fd_use(t_, (fd), pc_))
#define RECEIVED(fd, writes)                                                           \
    do {                                                                               \
        if (result >= 0)                                                               \
            CC_RACE_CHECKED({                                                                \
                writes;                                                                \
                cc_race_fd_acquire(t_, (fd));                                          \
            });                                                                        \
    } while (0)

/* A write-like call on fd: a use and a release before it; after it sent
 * `result` > 0 (bytes, or messages), `reads` record what it sent. */
#define SENDING(fd) CC_RACE_CHECKED(cc_race_fd_release(t_, (fd), pc_))
#define SENT(reads)                                                                    \
    do {                                                                               \
        if (result > 0)                                                                \
            CC_RACE_CHECKED(reads);                                                          \
    } while (0)

/* recv can report more than fit with MSG_TRUNC: only n bytes were filled. */
#define FILLED(n) ((size_t)result < (n) ? (size_t)result : (n))

#define READ_LIKE(type, name, params, args, fd, writes)                                \
    CC_RACE_INTERPOSER(type, name, params, args, RECEIVING(fd), RECEIVED(fd, writes))
#define WRITE_LIKE(type, name, params, args, fd, reads)                                \
    CC_RACE_INTERPOSER(type, name, params, args, SENDING(fd), SENT(reads))

READ_LIKE(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n), fd,
          CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, __read_chk, (int fd, void *buf, size_t n, size_t room), (fd, buf, n, room),
          fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, pread, (int fd, void *buf, size_t n, off_t at), (fd, buf, n, at), fd,
          CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, pread64, (int fd, void *buf, size_t n, off64_t at), (fd, buf, n, at), fd,
          CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, __pread_chk, (int fd, void *buf, size_t n, off_t at, size_t room),
          (fd, buf, n, at, room), fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, __pread64_chk, (int fd, void *buf, size_t n, off64_t at, size_t room),
          (fd, buf, n, at, room), fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, readv, (int fd, const struct iovec *iov, int count), (fd, iov, count), fd,
          IOV(iov, count, result, true))
READ_LIKE(ssize_t, preadv, (int fd, const struct iovec *iov, int count, off_t at),
          (fd, iov, count, at), fd, IOV(iov, count, result, true))
READ_LIKE(ssize_t, preadv64, (int fd, const struct iovec *iov, int count, off64_t at),
          (fd, iov, count, at), fd, IOV(iov, count, result, true))
READ_LIKE(ssize_t, preadv2, (int fd, const struct iovec *iov, int count, off_t at, int flags),
          (fd, iov, count, at, flags), fd, IOV(iov, count, result, true))
READ_LIKE(ssize_t, preadv64v2,
          (int fd, const struct iovec *iov, int count, off64_t at, int flags),
          (fd, iov, count, at, flags), fd, IOV(iov, count, result, true))
READ_LIKE(ssize_t, recv, (int fd, void *buf, size_t n, int flags), (fd, buf, n, flags), fd,
          CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, __recv_chk, (int fd, void *buf, size_t n, size_t room, int flags),
          (fd, buf, n, room, flags), fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, recvfrom,
          (int fd, void *__restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
           socklen_t *__restrict addr_len),
          (fd, buf, n, flags, addr, addr_len), fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, __recvfrom_chk,
          (int fd, void *__restrict buf, size_t n, size_t room, int flags, __SOCKADDR_ARG addr,
           socklen_t *__restrict addr_len),
          (fd, buf, n, room, flags, addr, addr_len), fd, CC_RACE_WRITE(buf, FILLED(n)))
READ_LIKE(ssize_t, recvmsg, (int fd, struct msghdr *msg, int flags), (fd, msg, flags), fd,
          msg_access(t_, msg, (size_t)result, true, pc_))
READ_LIKE(int, recvmmsg,
          (int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *timeout),
          (fd, v, n, flags, timeout), fd, MMSG(v, result, true))
/* eventfd_read returns 0 (or -1), having filled *value. */
READ_LIKE(int, eventfd_read, (int fd, eventfd_t *value), (fd, value), fd,
          CC_RACE_WRITE(value, result == 0 ? sizeof *value : 0))

WRITE_LIKE(ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n), fd,
           CC_RACE_READ(buf, (size_t)result))
WRITE_LIKE(ssize_t, pwrite, (int fd, const void *buf, size_t n, off_t at), (fd, buf, n, at), fd,
           CC_RACE_READ(buf, (size_t)result))
WRITE_LIKE(ssize_t, pwrite64, (int fd, const void *buf, size_t n, off64_t at), (fd, buf, n, at),
           fd, CC_RACE_READ(buf, (size_t)result))
WRITE_LIKE(ssize_t, writev, (int fd, const struct iovec *iov, int count), (fd, iov, count), fd,
           IOV(iov, count, result, false))
WRITE_LIKE(ssize_t, pwritev, (int fd, const struct iovec *iov, int count, off_t at),
           (fd, iov, count, at), fd, IOV(iov, count, result, false))
WRITE_LIKE(ssize_t, pwritev64, (int fd, const struct iovec *iov, int count, off64_t at),
           (fd, iov, count, at), fd, IOV(iov, count, result, false))
WRITE_LIKE(ssize_t, pwritev2, (int fd, const struct iovec *iov, int count, off_t at, int flags),
           (fd, iov, count, at, flags), fd, IOV(iov, count, result, false))
WRITE_LIKE(ssize_t, pwritev64v2,
           (int fd, const struct iovec *iov, int count, off64_t at, int flags),
           (fd, iov, count, at, flags), fd, IOV(iov, count, result, false))
WRITE_LIKE(ssize_t, send, (int fd, const void *buf, size_t n, int flags), (fd, buf, n, flags), fd,
           CC_RACE_READ(buf, (size_t)result))
WRITE_LIKE(ssize_t, sendto,
           (int fd, const void *buf, size_t n, int flags, __CONST_SOCKADDR_ARG addr,
            socklen_t addr_len),
           (fd, buf, n, flags, addr, addr_len), fd, CC_RACE_READ(buf, (size_t)result))
WRITE_LIKE(ssize_t, sendmsg, (int fd, const struct msghdr *msg, int flags), (fd, msg, flags), fd,
           msg_access(t_, (struct msghdr *)msg, (size_t)result, false, pc_))
WRITE_LIKE(int, sendmmsg, (int fd, struct mmsghdr *v, unsigned int n, int flags),
           (fd, v, n, flags), fd, MMSG(v, result, false))
/* eventfd_write's value is passed by value: no buffer. */
WRITE_LIKE(int, eventfd_write, (int fd, eventfd_t value), (fd, value), fd, (void)0)

/* ---- making, copying and closing descriptors -------------------------------------- */

/* After a call that returned a new descriptor `result` (or -1). */
#define MADE(kind)                                                                     \
    do {                                                                               \
        if (result >= 0)                                                               \
            CC_RACE_CHECKED(cc_race_fd_made(t_, result, (kind), pc_));                       \
    } while (0)
/* After a call that filled fds[2] with two ends sharing a clock. */
#define MADE_PAIR(fds)                                                                 \
    do {                                                                               \
        if (result == 0)                                                               \
            CC_RACE_CHECKED({                                                                \
                CC_RACE_WRITE((fds), 2 * sizeof(int));                                         \
                cc_race_fd_made_pair(t_, (fds), pc_);                                  \
            });                                                                        \
    } while (0)
/* After dup and its kin made `result` a copy of oldfd. */
#define DUPLICATED(oldfd, replaced)                                                    \
    do {                                                                               \
        if (result >= 0 && result != (oldfd))                                          \
            CC_RACE_CHECKED(cc_race_fd_dup(t_, (oldfd), result, (replaced), pc_));           \
    } while (0)

CC_RACE_INTERPOSER(int, creat, (const char *path, mode_t mode), (path, mode), (void)0,
                   MADE(CC_FD_SYNC_FILES))
CC_RACE_INTERPOSER(int, creat64, (const char *path, mode_t mode), (path, mode), (void)0,
                   MADE(CC_FD_SYNC_FILES))
CC_RACE_INTERPOSER(int, socket, (int domain, int type, int protocol), (domain, type, protocol),
                   (void)0, MADE(CC_FD_SYNC_SOCKETS))
CC_RACE_INTERPOSER(int, eventfd, (unsigned int count, int flags), (count, flags), (void)0,
                   MADE(CC_FD_SYNC_OWN))
CC_RACE_INTERPOSER(int, epoll_create, (int size), (size), (void)0, MADE(CC_FD_SYNC_OWN))
CC_RACE_INTERPOSER(int, epoll_create1, (int flags), (flags), (void)0, MADE(CC_FD_SYNC_OWN))

CC_RACE_INTERPOSER(int, pipe, (int fds[2]), (fds), (void)0, MADE_PAIR(fds))
CC_RACE_INTERPOSER(int, pipe2, (int fds[2], int flags), (fds, flags), (void)0, MADE_PAIR(fds))
CC_RACE_INTERPOSER(int, socketpair, (int domain, int type, int protocol, int fds[2]),
                   (domain, type, protocol, fds), (void)0, MADE_PAIR(fds))

/* A connection is made before it is accepted: connect releases, accept
 * acquires (one clock for all sockets: which listener is not followed). */
CC_RACE_INTERPOSER(int, connect, (int fd, __CONST_SOCKADDR_ARG addr, socklen_t len),
                   (fd, addr, len), CC_RACE_CHECKED({
                       cc_race_fd_use(t_, fd, pc_);
                       cc_race_fd_connecting(t_);
                   }),
                   if (result == 0) CC_RACE_CHECKED(cc_race_fd_connected(t_, fd)))
#define ACCEPTED()                                                                     \
    do {                                                                               \
        if (result >= 0)                                                               \
            CC_RACE_CHECKED({                                                                \
                cc_race_fd_accepted(t_);                                               \
                cc_race_fd_made(t_, result, CC_FD_SYNC_SOCKETS, pc_);                  \
            });                                                                        \
    } while (0)
CC_RACE_INTERPOSER(int, accept, (int fd, __SOCKADDR_ARG addr, socklen_t *__restrict len),
                   (fd, addr, len), CC_RACE_CHECKED(cc_race_fd_use(t_, fd, pc_)), ACCEPTED())
CC_RACE_INTERPOSER(int, accept4,
                   (int fd, __SOCKADDR_ARG addr, socklen_t *__restrict len, int flags),
                   (fd, addr, len, flags), CC_RACE_CHECKED(cc_race_fd_use(t_, fd, pc_)), ACCEPTED())

CC_RACE_INTERPOSER(int, dup, (int oldfd), (oldfd), (void)0, DUPLICATED(oldfd, false))
CC_RACE_INTERPOSER(int, dup2, (int oldfd, int newfd), (oldfd, newfd), (void)0,
                   DUPLICATED(oldfd, true))
CC_RACE_INTERPOSER(int, dup3, (int oldfd, int newfd, int flags), (oldfd, newfd, flags), (void)0,
                   DUPLICATED(oldfd, true))

CC_RACE_INTERPOSER(int, close, (int fd), (fd), CC_RACE_CHECKED(cc_race_fd_closing(t_, fd, pc_)),
                   (void)0)

/* fopen's descriptor and fclose's close are libc's internal calls, which
 * do not come through open and close. fileno does not lock the stream. */
#define FILE_OPENED()                                                                  \
    do {                                                                               \
        if (result)                                                                    \
            CC_RACE_CHECKED(cc_race_fd_made(t_, fileno(result), CC_FD_SYNC_FILES, pc_));     \
    } while (0)
CC_RACE_INTERPOSER(FILE *, fopen, (const char *__restrict path, const char *__restrict mode),
                   (path, mode), (void)0, FILE_OPENED())
CC_RACE_INTERPOSER(FILE *, fopen64, (const char *__restrict path, const char *__restrict mode),
                   (path, mode), (void)0, FILE_OPENED())
CC_RACE_INTERPOSER(int, fclose, (FILE * stream), (stream),
                   if (stream) CC_RACE_CHECKED(cc_race_fd_closing(t_, fileno(stream), pc_)),
                   (void)0)

/* ---- epoll ------------------------------------------------------------------------- */

/* Adding or re-arming a descriptor releases on the instance's clock: the
 * epoll_wait that reports it comes after (EPOLL_CTL_MOD re-arms an
 * EPOLLONESHOT descriptor). An added descriptor's writes release there
 * too (cc_race_fd_poll_added). */
CC_RACE_INTERPOSER(int, epoll_ctl, (int epfd, int op, int fd, struct epoll_event *event),
                   (epfd, op, fd, event), CC_RACE_CHECKED({
                       cc_race_fd_use(t_, fd, pc_);
                       if (op == EPOLL_CTL_DEL)
                           cc_race_fd_use(t_, epfd, pc_);
                       else
                           cc_race_fd_release(t_, epfd, pc_);
                   }),
                   if (result == 0 && op == EPOLL_CTL_ADD)
                       CC_RACE_CHECKED(cc_race_fd_poll_added(t_, epfd, fd)))

/* A wait that reported events acquires the instance's clock. */
#define EPOLL_WAITED(epfd, events)                                                     \
    do {                                                                               \
        if (result > 0)                                                                \
            CC_RACE_CHECKED({                                                                \
                CC_RACE_WRITE((events), (size_t)result * sizeof(struct epoll_event));          \
                cc_race_fd_acquire(t_, (epfd));                                        \
            });                                                                        \
    } while (0)
CC_RACE_INTERPOSER(int, epoll_wait, (int epfd, struct epoll_event *events, int n, int timeout),
                   (epfd, events, n, timeout), CC_RACE_CHECKED(cc_race_fd_use(t_, epfd, pc_)),
                   EPOLL_WAITED(epfd, events))
CC_RACE_INTERPOSER(int, epoll_pwait,
                   (int epfd, struct epoll_event *events, int n, int timeout,
                    const sigset_t *sigmask),
                   (epfd, events, n, timeout, sigmask),
                   CC_RACE_CHECKED(cc_race_fd_use(t_, epfd, pc_)),
                   EPOLL_WAITED(epfd, events))

/* ---- variadic calls ------------------------------------------------------------------ */

/* open and its kin read a mode only when they create a file, as glibc's
 * own wrappers do: reading an argument that was not passed is undefined. */
static inline mode_t open_mode(int flags, va_list ap)
{
    bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    return creates ? (mode_t)va_arg(ap, int) : 0;
}

__attribute__((noinline)) static int opened(int fd, uint64_t pc_)
{
    int result = fd;
    MADE(CC_FD_SYNC_FILES);
    return result;
}

#define OPEN_INTERPOSER(name, params, args, last)                                      \
    CC_EXPORT int name params                                                          \
    {                                                                                  \
        va_list ap;                                                                    \
        va_start(ap, last);                                                            \
        mode_t mode = open_mode(last, ap);                                             \
        va_end(ap);                                                                    \
        if (CC_LIKELY(cc_real.name != NULL) && !CC_RACE_ON())                          \
            return cc_real.name args;                                                  \
        return opened(CC_REAL(name) args, CC_CALLER().pc);                             \
    }

OPEN_INTERPOSER(open, (const char *path, int flags, ...), (path, flags, mode), flags)
OPEN_INTERPOSER(open64, (const char *path, int flags, ...), (path, flags, mode), flags)
OPEN_INTERPOSER(openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode),
                flags)
OPEN_INTERPOSER(openat64, (int dirfd, const char *path, int flags, ...),
                (dirfd, path, flags, mode), flags)

/* fcntl's one argument, when there is one, is an int or a pointer; glibc
 * reads it as a pointer whatever the command, and so do we. Only the
 * commands that make a copy of the descriptor matter here. */
__attribute__((noinline)) static int fcntl_done(int fd, int cmd, int result, uint64_t pc_)
{
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        DUPLICATED(fd, false);
    return result;
}

#define FCNTL_INTERPOSER(name)                                                         \
    CC_EXPORT int name(int fd, int cmd, ...)                                           \
    {                                                                                  \
        va_list ap;                                                                    \
        va_start(ap, cmd);                                                             \
        void *arg = va_arg(ap, void *);                                                \
        va_end(ap);                                                                    \
        if (CC_LIKELY(cc_real.name != NULL) && !CC_RACE_ON())                          \
            return cc_real.name(fd, cmd, arg);                                         \
        return fcntl_done(fd, cmd, CC_REAL(name)(fd, cmd, arg), CC_CALLER().pc);       \
    }

FCNTL_INTERPOSER(fcntl)
FCNTL_INTERPOSER(fcntl64)
