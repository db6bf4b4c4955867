/* A signal handled inside fork(): the pthread_atfork prepare handler
 * raises it, so the program's signal handler runs while ccheck ignores the
 * atfork handler's own accesses. The signal handler is other code and is
 * checked (as under TSan): it updates a global that a worker also updated,
 * with only a relaxed flag between them, and that race must be reported.
 * The twin joins the worker before forking.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static long events;
static atomic_int worker_done;

static void on_signal(int sig)
{
    (void)sig;
    events++; /* ccheck-expect: data-race */
}

static void before_fork(void) { raise(SIGUSR1); }

static void *worker(void *arg)
{
    (void)arg;
    events++; /* ccheck-expect: data-race */
    atomic_store_explicit(&worker_done, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &act, NULL);
    pthread_atfork(before_fork, NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&worker_done, memory_order_relaxed))
        ;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    pthread_join(t, NULL);
    printf("events %ld\n", events);
    return 0;
}
