/* Pitfall: handing a result over through a pipe, but signalling before the
 * result is ready. The worker writes the byte that says "done" first and
 * sets the result after it, so main, woken by the byte, reads the result
 * while the worker may still be writing it: the pipe orders only what came
 * before the write.
 *
 * ccheck must report the race on the result.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipe_fds[2];
static long result;

static void *compute(void *arg)
{
    (void)arg;
    char done = 1;
    if (write(pipe_fds[1], &done, 1) != 1)
        perror("write");
    result = 6 * 7; /* ccheck-expect: data-race */
    return NULL;
}

int main(void)
{
    if (pipe(pipe_fds) != 0) {
        perror("pipe");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, compute, NULL);
    char done;
    if (read(pipe_fds[0], &done, 1) != 1) {
        perror("read");
        return 1;
    }
    printf("result %ld\n", result); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return 0;
}
