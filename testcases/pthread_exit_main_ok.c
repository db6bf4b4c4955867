/* Fixed twin of pthread_exit_main_bug.c: main joins the report writer and
 * checks its result before it leaves with pthread_exit. A detached
 * flusher that main never joins (nobody needs its result) still runs when
 * main leaves: the process waits for it, so it is not cut off either, and
 * its exit ends the process.
 *
 * ccheck must report nothing.
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
    printf("report written\n");
    return (void *)(intptr_t)0;
}

static void *flush_logs(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&main_leaving, memory_order_relaxed))
        sched_yield();
    struct timespec pause = {0, 20 * 1000000L}; /* main has left by now */
    nanosleep(&pause, NULL);
    printf("logs flushed\n");
    return NULL;
}

int main(void)
{
    pthread_t writer, flusher;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&writer, NULL, write_report, NULL) != 0 ||
        pthread_create(&flusher, &attr, flush_logs, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_attr_destroy(&attr);
    void *result;
    pthread_join(writer, &result);
    printf("writer said %ld\n", (long)(intptr_t)result);
    atomic_store_explicit(&main_leaving, 1, memory_order_relaxed);
    pthread_exit(NULL);
}
