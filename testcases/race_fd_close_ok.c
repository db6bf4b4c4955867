/* The fixed twin of race_fd_close_bug.c: main joins the reader before it
 * closes the pipe, so every use of the descriptor comes before its close.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipe_fds[2];

static void *reader(void *arg)
{
    (void)arg;
    char byte;
    if (read(pipe_fds[0], &byte, 1) != 1)
        perror("read");
    return NULL;
}

int main(void)
{
    if (pipe(pipe_fds) != 0 || write(pipe_fds[1], "x", 1) != 1) {
        perror("pipe");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return 0;
}
