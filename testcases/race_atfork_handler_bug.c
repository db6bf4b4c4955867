/* The control of race_atfork_handler_ok.c: the same handlers and fork, and
 * then the handler's update made outside a fork, by the parent and by the
 * child. Only a relaxed flag (which orders nothing) lies between those
 * updates and the worker's, before the fork: both race with it. (So the
 * handlers' region of unchecked accesses ends in both processes.)
 *
 * ccheck must report both races.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static long forks;
static atomic_int counted;

static void count_fork(void) { forks++; } /* ccheck-expect: data-race */

static void *worker(void *arg)
{
    (void)arg;
    forks++; /* ccheck-expect: data-race */
    atomic_store_explicit(&counted, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_atfork(count_fork, count_fork, count_fork);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!atomic_load_explicit(&counted, memory_order_relaxed))
        sched_yield();
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        forks += 10; /* ccheck-expect: data-race */
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    count_fork();
    pthread_join(t, NULL);
    printf("forks %ld\n", forks);
    return 0;
}
