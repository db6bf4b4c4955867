/* Pitfall: closing a descriptor another thread still uses. The reader
 * reads from the pipe while main, done with it, closes the read end; had
 * the close come first, the number could already belong to a file opened
 * since, and the read would take that file's data. A descriptor is shared
 * state like any other: its close must come after every use.
 *
 * The pipe holds a byte before the reader starts, so nothing blocks; a
 * relaxed flag (which orders nothing for ccheck) makes main close after
 * the read, so that the read does not fail.
 *
 * ccheck must report the race between the read and the close.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static int pipe_fds[2];
static atomic_int have_read;

static void *reader(void *arg)
{
    (void)arg;
    char byte;
    if (read(pipe_fds[0], &byte, 1) != 1)
        perror("read");
    atomic_store_explicit(&have_read, 1, memory_order_relaxed);
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
    while (!atomic_load_explicit(&have_read, memory_order_relaxed))
        sched_yield();
    close(pipe_fds[0]); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    close(pipe_fds[1]);
    return 0;
}
