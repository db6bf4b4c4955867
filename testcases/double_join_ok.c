/* Fixed twin of double_join_bug.c: stop_logger() remembers that the logger
 * is stopped, so the error path and the cleanup can both call it and the
 * thread is joined exactly once.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static pthread_t logger;
static bool logger_running;
static atomic_int logged;

static void *log_loop(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        atomic_fetch_add_explicit(&logged, 1, memory_order_relaxed);
    return NULL;
}

static void start_logger(void)
{
    if (pthread_create(&logger, NULL, log_loop, NULL) != 0)
        fprintf(stderr, "pthread_create failed\n");
    else
        logger_running = true;
}

static void stop_logger(void)
{
    if (!logger_running)
        return;
    int rc = pthread_join(logger, NULL);
    if (rc != 0)
        printf("join: %s\n", strerror(rc));
    logger_running = false;
}

static int load_config(void) { return -1; /* the file is missing */ }

int main(void)
{
    start_logger();
    if (load_config() != 0) {
        printf("no config, giving up\n");
        stop_logger();
        goto out;
    }
    printf("running\n");
out:
    stop_logger();
    printf("%d lines logged\n", atomic_load_explicit(&logged, memory_order_relaxed));
    return 0;
}
