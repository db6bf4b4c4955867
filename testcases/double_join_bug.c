/* Pitfall: a thread joined twice. stop_logger() joins the logger thread; an
 * error path calls it, and then the common cleanup calls it again. The
 * second pthread_join gets a handle that names no thread any more, and
 * POSIX leaves the call undefined. glibc 2.36 keeps the thread's memory in
 * its stack cache and fails the join with ESRCH; but a thread created in
 * between may be given the same handle (the join then waits for that one),
 * and memory the cache let go makes the join crash. No thread is created
 * between the two joins here, so the second one returns at once.
 *
 * ccheck must report a double-join at the join (reached the second time
 * from the cleanup), with where it was joined first, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static pthread_t logger;
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
}

/* Forgets nothing: called twice, it joins twice. */
static void stop_logger(void)
{
    int rc = pthread_join(logger, NULL); /* ccheck-expect: double-join */
    if (rc != 0)
        printf("join: %s\n", strerror(rc));
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
    stop_logger(); /* the cleanup stops the logger again */
    printf("%d lines logged\n", atomic_load_explicit(&logged, memory_order_relaxed));
    return 0;
}
