/* The twin of race_signal_during_fork_bug.c: the worker is joined before
 * the fork, so its update happens before the signal handler's, which runs
 * inside fork() (raised by the pthread_atfork prepare handler) and is
 * checked there. ccheck must report nothing.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static long events;

static void on_signal(int sig)
{
    (void)sig;
    events++;
}

static void before_fork(void) { raise(SIGUSR1); }

static void *worker(void *arg)
{
    (void)arg;
    events++;
    return NULL;
}

int main(void)
{
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &act, NULL);
    pthread_atfork(before_fork, NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    printf("events %ld\n", events);
    return 0;
}
