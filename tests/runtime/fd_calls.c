/* File descriptor calls under the preload (interpose/fd.c): every result,
 * the data and errno as libc gives them, first with race detection off,
 * then on (turned on as an instrumented object would, by calling
 * __tsan_init): short reads, vectors, EINTR, EAGAIN, bad and out-of-range
 * descriptors, the highest descriptor the process may have, fcntl's
 * commands, truncated datagrams, descriptors passed over a socket.
 *
 * With race detection on, threads hand buffers over through a pipe, an
 * epoll instance and a socket connection (the buffers are checked by the
 * interposers themselves: this program is not instrumented), and a
 * forked child closes descriptors another thread of its parent used:
 * none of that is a race. Two races are made on purpose, so that the
 * checks must be there for the test to pass: a read() filling a buffer
 * that another thread write()s out, and a close of a descriptor another
 * thread used.
 *
 * ccheck-expect-summary: SUMMARY: ccheck: 2 findings (2 race) in 2 traces
 *
 * Without __tsan_init (a libccheck without the instrumentation ABI) the
 * second half is skipped, which the SUMMARY above then fails. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"


/* A call that must fail with `err`, leaving errno so. */
#define FAILS(call, err)                                                               \
    do {                                                                               \
        errno = 0;                                                                     \
        CHECK((call) == -1);                                                           \
        CHECK(errno == (err));                                                         \
    } while (0)

enum { SENTINEL = 4242 };

static void make_pipe(int fds[2], int flags)
{
    if (pipe2(fds, flags) != 0) {
        perror("pipe2");
        exit(2);
    }
}

/* ---- results and errno ---------------------------------------------------------- */

static void reads_and_writes(void)
{
    int p[2];
    make_pipe(p, 0);
    /* Success leaves errno alone. */
    errno = SENTINEL;
    CHECK(write(p[1], "abc", 3) == 3);
    CHECK(errno == SENTINEL);
    char buf[16] = {0};
    CHECK(read(p[0], buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0);
    CHECK(errno == SENTINEL);

    /* Vectors, the reading one filled in part. */
    struct iovec out[2] = {{"hello ", 6}, {"world", 5}};
    CHECK(writev(p[1], out, 2) == 11);
    char a[4], b[16] = {0};
    struct iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
    CHECK(readv(p[0], in, 2) == 11);
    CHECK(memcmp(a, "hell", 4) == 0 && memcmp(b, "o world", 7) == 0);

    /* End of file once the write end is closed. */
    CHECK(close(p[1]) == 0);
    CHECK(read(p[0], buf, sizeof buf) == 0);
    CHECK(close(p[0]) == 0);

    /* Bad descriptors: closed, negative, beyond any the process may have
     * and beyond the runtime's table. */
    FAILS(read(p[0], buf, 1), EBADF);
    FAILS(write(p[1], buf, 1), EBADF);
    FAILS(read(-1, buf, 1), EBADF);
    FAILS(write(1 << 22, buf, 1), EBADF);
    FAILS(close(-1), EBADF);
    FAILS(close(1 << 22), EBADF);
    FAILS(close(p[0]), EBADF);
    FAILS(dup(-5), EBADF);
    FAILS(dup2(p[0], 3), EBADF);
    FAILS(fcntl(-1, F_GETFD), EBADF);
    FAILS(epoll_ctl(-1, EPOLL_CTL_ADD, 0, &(struct epoll_event){0}), EBADF);
    FAILS(eventfd_write(-1, 1), EBADF);

    /* A non-blocking pipe with nothing in it. */
    make_pipe(p, O_NONBLOCK | O_CLOEXEC);
    FAILS(read(p[0], buf, 1), EAGAIN);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK((fcntl(p[0], F_GETFD) & FD_CLOEXEC) != 0);
    close(p[0]);
    close(p[1]);
}

static void on_alarm(int sig) { (void)sig; }

/* A read blocked on an empty pipe, interrupted by a signal whose handler
 * does not restart it. A timer fires every 10 ms until then, so the
 * signal cannot come too early and be missed. */
static void interrupted_read(void)
{
    struct sigaction sa = {.sa_handler = on_alarm}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval every = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every, NULL);
    int p[2];
    make_pipe(p, 0);
    char c;
    FAILS(read(p[0], &c, 1), EINTR);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    close(p[0]);
    close(p[1]);
}

static void files_and_copies(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/ccheck_fd_calls.%d", (int)getpid());
    mode_t old_mask = umask(022);
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0640);
    umask(old_mask);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640);
    FAILS(open(path, O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    FAILS(open("/nonexistent/ccheck", O_RDONLY), ENOENT);
    FAILS(openat(AT_FDCWD, "/nonexistent/ccheck", O_RDONLY), ENOENT);

    CHECK(pwrite(fd, "0123456789", 10, 0) == 10);
    char buf[8] = {0};
    CHECK(pread(fd, buf, 4, 3) == 4 && memcmp(buf, "3456", 4) == 0);
    CHECK(pread(fd, buf, sizeof buf, 8) == 2 && memcmp(buf, "89", 2) == 0);

    /* Copies: the lowest free number, at least the one asked for, the
     * very one asked for; dup2 onto itself does nothing. */
    int low = dup(fd);
    CHECK(low > fd || low < fd);
    int high = fcntl(fd, F_DUPFD, 100);
    CHECK(high >= 100);
    int cloexec = fcntl(fd, F_DUPFD_CLOEXEC, 200);
    CHECK(cloexec >= 200 && (fcntl(cloexec, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(dup2(fd, fd) == fd);
    FAILS(dup3(fd, fd, 0), EINVAL);
    CHECK(dup3(fd, 300, O_CLOEXEC) == 300);
    CHECK(pread(300, buf, 2, 0) == 2 && memcmp(buf, "01", 2) == 0);
    close(low);
    close(high);
    close(cloexec);
    close(300);
    CHECK(close(fd) == 0);

    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        CHECK(fgetc(f) == '0');
        CHECK(fclose(f) == 0);
    }
    errno = 0;
    CHECK(fopen("/nonexistent/ccheck", "r") == NULL && errno == ENOENT);
    CHECK(unlink(path) == 0);

    /* The highest descriptor the process may have (the last entry of the
     * runtime's table, or beyond it, depending on the limit). */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur > 400) {
        int top = (int)(lim.rlim_cur > (1u << 22) ? (1u << 22) : lim.rlim_cur) - 1;
        int p[2];
        make_pipe(p, 0);
        CHECK(dup2(p[1], top) == top);
        CHECK(write(top, "z", 1) == 1);
        char c = 0;
        CHECK(read(p[0], &c, 1) == 1 && c == 'z');
        CHECK(close(top) == 0);
        FAILS(dup2(p[1], (int)lim.rlim_cur), EBADF);
        close(p[0]);
        close(p[1]);
    }
}

static void events_and_sockets(void)
{
    int efd = eventfd(3, EFD_NONBLOCK);
    CHECK(efd >= 0);
    eventfd_t v = 0;
    CHECK(eventfd_write(efd, 4) == 0);
    CHECK(eventfd_read(efd, &v) == 0 && v == 7);
    FAILS(eventfd_read(efd, &v), EAGAIN);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77}, got[2];
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
    CHECK(epoll_wait(ep, got, 2, 0) == 0);
    CHECK(eventfd_write(efd, 1) == 0);
    CHECK(epoll_pwait(ep, got, 2, 1000, NULL) == 1 && got[0].data.u64 == 77);
    FAILS(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == 0);
    close(ep);
    close(efd);

    /* A datagram longer than the buffer: recv says how long it was
     * (MSG_TRUNC) but fills only the buffer. */
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    char big[100], small[10];
    memset(big, 'q', sizeof big);
    CHECK(send(sv[0], big, sizeof big, 0) == (ssize_t)sizeof big);
    CHECK(recv(sv[1], small, sizeof small, MSG_TRUNC) == (ssize_t)sizeof big);
    CHECK(small[9] == 'q');

    /* Two datagrams at once each way. */
    struct iovec iov[2] = {{"one", 3}, {"three", 5}};
    struct mmsghdr out[2] = {{.msg_hdr = {.msg_iov = &iov[0], .msg_iovlen = 1}},
                             {.msg_hdr = {.msg_iov = &iov[1], .msg_iovlen = 1}}};
    CHECK(sendmmsg(sv[0], out, 2, 0) == 2);
    char r0[8] = {0}, r1[8] = {0};
    struct iovec riov[2] = {{r0, sizeof r0}, {r1, sizeof r1}};
    struct mmsghdr in[2] = {{.msg_hdr = {.msg_iov = &riov[0], .msg_iovlen = 1}},
                            {.msg_hdr = {.msg_iov = &riov[1], .msg_iovlen = 1}}};
    CHECK(recvmmsg(sv[1], in, 2, 0, NULL) == 2);
    CHECK(in[0].msg_len == 3 && in[1].msg_len == 5 && strcmp(r0, "one") == 0 &&
          strcmp(r1, "three") == 0);

    /* A pipe's write end passed over the socket, then used. */
    int p[2];
    make_pipe(p, 0);
    union {
        struct cmsghdr h;
        char room[CMSG_SPACE(sizeof(int))];
    } control = {0};
    struct iovec one = {"f", 1};
    struct msghdr msg = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = control.room,
                         .msg_controllen = sizeof control.room};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    CHECK(sendmsg(sv[0], &msg, 0) == 1);
    char tag = 0;
    union {
        struct cmsghdr h;
        char room[CMSG_SPACE(sizeof(int))];
    } rcontrol = {0};
    struct iovec rone = {&tag, 1};
    struct msghdr rmsg = {.msg_iov = &rone, .msg_iovlen = 1, .msg_control = rcontrol.room,
                          .msg_controllen = sizeof rcontrol.room};
    CHECK(recvmsg(sv[1], &rmsg, 0) == 1 && tag == 'f');
    struct cmsghdr *rc = CMSG_FIRSTHDR(&rmsg);
    CHECK(rc != NULL && rc->cmsg_type == SCM_RIGHTS);
    if (rc) {
        int passed;
        memcpy(&passed, CMSG_DATA(rc), sizeof passed);
        CHECK(write(passed, "!", 1) == 1);
        CHECK(read(p[0], &tag, 1) == 1 && tag == '!');
        close(passed);
    }
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
}

static void run_all(void)
{
    reads_and_writes();
    interrupted_read();
    files_and_copies();
    events_and_sockets();
}

/* ---- threads (race detection on) ----------------------------------------------- */

/* Handovers: a buffer filled by read() in one thread and written out by
 * write() in another must be ordered by something ccheck sees, here a
 * pipe, an epoll instance or a TCP connection. */
static int to_worker[2], to_main[2], dev_null;
static char shared[64];

static void *pipe_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        char token;
        if (read(to_worker[0], &token, 1) != 1)
            break;
        /* main filled `shared` before sending the token */
        CHECK(write(dev_null, shared, sizeof shared) == (ssize_t)sizeof shared);
        CHECK(write(to_main[1], &token, 1) == 1);
    }
    return NULL;
}

static void pipe_handover(void)
{
    make_pipe(to_worker, 0);
    make_pipe(to_main, 0);
    int source[2];
    make_pipe(source, 0);
    pthread_t t;
    pthread_create(&t, NULL, pipe_worker, NULL);
    for (int i = 0; i < 50; i++) {
        memset(shared, 'a' + i % 26, sizeof shared);
        CHECK(write(source[1], shared, sizeof shared) == (ssize_t)sizeof shared);
        CHECK(read(source[0], shared, sizeof shared) == (ssize_t)sizeof shared);
        char token = 't';
        CHECK(write(to_worker[1], &token, 1) == 1);
        CHECK(read(to_main[0], &token, 1) == 1);
    }
    pthread_join(t, NULL);
    int fds[] = {to_worker[0], to_worker[1], to_main[0], to_main[1], source[0], source[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
}

static int ep, ev_fd;

static void *epoll_worker(void *arg)
{
    (void)arg;
    /* The buffer filled by a read, then the eventfd written: the epoll
     * instance it is in orders the two for main. */
    int p[2];
    make_pipe(p, 0);
    CHECK(write(p[1], "epoll handover", 15) == 15);
    CHECK(read(p[0], shared, 15) == 15);
    close(p[0]);
    close(p[1]);
    CHECK(eventfd_write(ev_fd, 1) == 0);
    return NULL;
}

static void epoll_handover(void)
{
    ep = epoll_create1(0);
    ev_fd = eventfd(0, 0);
    struct epoll_event ev = {.events = EPOLLIN};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ev_fd, &ev) == 0);
    pthread_t t;
    pthread_create(&t, NULL, epoll_worker, NULL);
    CHECK(epoll_wait(ep, &ev, 1, -1) == 1);
    CHECK(write(dev_null, shared, 15) == 15);
    pthread_join(t, NULL);
    close(ev_fd);
    close(ep);
}

static int listener;

static void *client(void *arg)
{
    struct sockaddr_in *addr = arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0 && connect(s, (struct sockaddr *)addr, sizeof *addr) == 0);
    CHECK(recv(s, shared, 4, MSG_WAITALL) == 4);
    CHECK(send(s, "ok", 2, 0) == 2);
    close(s);
    return NULL;
}

static void tcp_handover(void)
{
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
        printf("skipped: no loopback TCP (%s)\n", strerror(errno));
        if (listener >= 0)
            close(listener);
        return;
    }
    pthread_t t;
    pthread_create(&t, NULL, client, &addr);
    int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    CHECK(conn >= 0);
    CHECK(send(conn, "ping", 4, 0) == 4);
    char reply[2];
    CHECK(recv(conn, reply, 2, MSG_WAITALL) == 2);
    /* The client's recv filled `shared` before its send. */
    CHECK(write(dev_null, shared, 4) == 4);
    pthread_join(t, NULL);
    close(conn);
    close(listener);
}

/* A child forked while another thread had used a descriptor closes it:
 * that thread is not in the child, so nothing can race. */
static int used_fd[2];
static volatile int used;

static void *user(void *arg)
{
    (void)arg;
    CHECK(write(used_fd[1], "u", 1) == 1);
    __atomic_store_n(&used, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void fork_after_use(void)
{
    make_pipe(used_fd, 0);
    pthread_t t;
    pthread_create(&t, NULL, user, NULL);
    while (!__atomic_load_n(&used, __ATOMIC_RELAXED))
        sched_yield();
    pid_t child = fork();
    if (child == 0) {
        close(used_fd[0]);
        close(used_fd[1]);
        _exit(0);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child && status == 0);
    pthread_join(t, NULL);
    close(used_fd[0]);
    close(used_fd[1]);
}

/* The two races made on purpose. Relaxed flags sequence them, which
 * orders nothing for ccheck. */
static char message[32];
static int race_pipe[2];
static volatile int step;

static void wait_step(int n)
{
    while (__atomic_load_n(&step, __ATOMIC_RELAXED) < n)
        sched_yield();
}

static void *racer(void *arg)
{
    (void)arg;
    CHECK(read(race_pipe[0], message, sizeof message) == (ssize_t)sizeof message);
    __atomic_store_n(&step, 1, __ATOMIC_RELAXED);
    wait_step(2);
    return NULL;
}

static void unsynchronised(void)
{
    make_pipe(race_pipe, 0);
    char data[sizeof message];
    memset(data, 'm', sizeof data);
    CHECK(write(race_pipe[1], data, sizeof data) == (ssize_t)sizeof data);
    pthread_t t;
    pthread_create(&t, NULL, racer, NULL);
    wait_step(1);
    /* The buffer the racer's read() filled, sent without ordering. */
    CHECK(write(dev_null, message, sizeof message) == (ssize_t)sizeof message);
    /* The descriptor the racer read from, closed without ordering. */
    CHECK(close(race_pipe[0]) == 0);
    __atomic_store_n(&step, 2, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    close(race_pipe[1]);
}

static void run_threads(void)
{
    dev_null = open("/dev/null", O_WRONLY);
    CHECK(dev_null >= 0);
    pipe_handover();
    epoll_handover();
    tcp_handover();
    fork_after_use();
    unsynchronised();
    close(dev_null);
}

int main(void)
{
    run_all();
    if (race_detection_on()) {
        run_all();
        run_threads();
    }
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("fd calls: all checks passed\n");
    return 0;
}
