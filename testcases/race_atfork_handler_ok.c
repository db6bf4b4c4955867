/* pthread_atfork handlers run inside fork(), wherever the program forks.
 * Here they count forks in a global that a worker also updates, with only
 * a relaxed flag (which orders nothing) between them. ThreadSanitizer does
 * not check the accesses made by atfork handlers, and neither does ccheck;
 * the same update made outside a fork races (race_atfork_handler_bug.c).
 *
 * ccheck must report nothing, in the parent or in the child.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static long forks;
static atomic_int counted;

static void count_fork(void) { forks++; }

static void *worker(void *arg)
{
    (void)arg;
    forks++;
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
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    pthread_join(t, NULL);
    printf("forks %ld\n", forks);
    return 0;
}
