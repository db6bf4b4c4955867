/* Work handed over through epoll, twice. First the worker fills `first`
 * and adds a ready eventfd to main's epoll instance: the epoll_wait that
 * reports it comes after the epoll_ctl. Then main watches a pipe instead,
 * and the worker fills `second` and writes to the pipe: the epoll_wait
 * that reports the pipe readable comes after the write, though main never
 * reads the pipe. Both handovers order the worker's writes before main's
 * reads.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int epfd, efd, pipe_fds[2];
static long first, second;
/* Relaxed: it only says when to go on, and orders nothing for ccheck. */
static atomic_int pipe_watched;

static void *worker(void *arg)
{
    (void)arg;
    first = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) != 0)
        perror("epoll_ctl");
    while (!atomic_load_explicit(&pipe_watched, memory_order_relaxed))
        sched_yield();
    second = 2;
    char byte = 1;
    if (write(pipe_fds[1], &byte, 1) != 1)
        perror("write");
    return NULL;
}

static int wait_for(int fd)
{
    struct epoll_event ev;
    int n = epoll_wait(epfd, &ev, 1, -1);
    return n == 1 && ev.data.fd == fd ? 0 : -1;
}

int main(void)
{
    epfd = epoll_create1(0);
    efd = eventfd(1, 0); /* readable from the start */
    if (epfd < 0 || efd < 0 || pipe(pipe_fds) != 0) {
        perror("setup");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    if (wait_for(efd) != 0)
        return 1;
    printf("first %ld\n", first);

    struct epoll_event ev = {.events = EPOLLIN, .data.fd = pipe_fds[0]};
    if (epoll_ctl(epfd, EPOLL_CTL_DEL, efd, NULL) != 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, pipe_fds[0], &ev) != 0) {
        perror("epoll_ctl");
        return 1;
    }
    atomic_store_explicit(&pipe_watched, 1, memory_order_relaxed);
    if (wait_for(pipe_fds[0]) != 0)
        return 1;
    printf("second %ld\n", second);

    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(efd);
    close(epfd);
    return 0;
}
