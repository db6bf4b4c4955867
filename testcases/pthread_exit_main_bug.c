/* Pitfall: main ends with pthread_exit and never joins its worker. The
 * process goes on until its last thread ends, so the report writer is not
 * cut off: it finishes, and its exit (the last thread's) ends the process
 * with status 0. But nobody joins it: its result (did the report get
 * written?) is never looked at, and its resources are never reclaimed
 * before the end. main calls pthread_exit while the writer still runs;
 * the writer waits for that on a relaxed atomic, then finishes.
 *
 * ccheck must report an unjoined-thread for the writer, created at the
 * line marked below (not thread-running-at-exit: the process waited for
 * it), and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static atomic_int main_leaving;

static void *write_report(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&main_leaving, memory_order_relaxed))
        sched_yield();
    struct timespec pause = {0, 20 * 1000000L}; /* main has left by now */
    nanosleep(&pause, NULL);
    printf("report written\n");
    return (void *)(intptr_t)0;
}

int main(void)
{
    pthread_t writer;
    if (pthread_create(&writer, NULL, write_report, NULL) != 0) { /* ccheck-expect: unjoined-thread */
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    printf("main leaves, the writer goes on\n");
    atomic_store_explicit(&main_leaving, 1, memory_order_relaxed);
    pthread_exit(NULL); /* instead of joining the writer */
}
