/* A result handed over through a pipe: the worker computes it, then writes
 * a byte to the pipe; main reads the byte, then uses the result. The write
 * happens before the read that returns its byte, as with a semaphore post
 * and wait, so the two accesses to the result are ordered (the pipe's two
 * ends share one clock).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipe_fds[2];
static long result;

static void *compute(void *arg)
{
    (void)arg;
    result = 6 * 7;
    char done = 1;
    if (write(pipe_fds[1], &done, 1) != 1)
        perror("write");
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
    printf("result %ld\n", result);
    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return 0;
}
