/* A worker that ends the whole process with exit() while main still waits
 * for it: the worker is not "cut off" (it ended the process itself), and
 * main, blocked in its join, was idle.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *worker(void *arg)
{
    (void)arg;
    puts("worker: all done, exiting the process");
    fflush(stdout);
    exit(0);
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    puts("not reached");
    return 1;
}
