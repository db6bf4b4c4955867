/* fork from a thread while other threads take locks, locking in the child,
 * and exec: the program behaves as without ccheck, and each process image
 * gets its own trace. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static atomic_int stop;

/* Locks and unlocks the mutex `arg` until told to stop. */
static void *busy(void *arg)
{
    pthread_mutex_t *lock = arg;
    while (!atomic_load(&stop)) {
        pthread_mutex_lock(lock);
        pthread_mutex_unlock(lock);
    }
    return NULL;
}

static int child_work(void)
{
    /* Only the forking thread exists here; locks still work. `m` may have
     * been held by a busy thread at the fork, and stays so in the child:
     * the child's own thread uses a mutex of its own. */
    static pthread_mutex_t local = PTHREAD_MUTEX_INITIALIZER;
    for (int i = 0; i < 1000; i++) {
        if (pthread_mutex_lock(&local) != 0 || pthread_mutex_unlock(&local) != 0)
            return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, busy, &local) != 0)
        return 1;
    atomic_store(&stop, 1);
    return pthread_join(t, NULL) == 0 ? 0 : 1;
}

static void *forker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return (void *)1;
        if (pid == 0)
            _exit(child_work());
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return (void *)1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return (void *)1;
    return NULL;
}

int main(void)
{
    pthread_t b1, b2, f;
    pthread_create(&b1, NULL, busy, &m);
    pthread_create(&b2, NULL, busy, &m);
    pthread_create(&f, NULL, forker, NULL);
    void *failed;
    pthread_join(f, &failed);
    atomic_store(&stop, 1);
    pthread_join(b1, NULL);
    pthread_join(b2, NULL);
    if (failed)
        fprintf(stderr, "a child failed\n");
    return failed ? 1 : 0;
}
