/* Fixed twin of misuse_exit_holding_lock_bug.c: every path out of append()
 * and of the loader unlocks first (one exit label that unlocks; an unlock
 * before pthread_exit).
 *
 * Two things that look alike and are not reported:
 *  - main returns from main() still holding a mutex. exit() ends every
 *    thread at once, so nobody can wait for that mutex any more.
 *  - a thread ends holding a robust mutex: that is what robust mutexes are
 *    for. The next locker gets EOWNERDEAD, with the mutex held, and repairs
 *    the state (main does so below).
 *
 * ccheck must report nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct journal {
    pthread_mutex_t lock;
    char lines[16][64];
    int n;
};

static struct journal journal = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t shared_state; /* robust */
static char config[64];

static int append(struct journal *j, const char *line)
{
    int rc = -1;
    pthread_mutex_lock(&j->lock);
    if (!line || j->n == 16)
        goto out;
    snprintf(j->lines[j->n++], sizeof j->lines[0], "%s", line);
    rc = 0;
out:
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static void *writer(void *arg)
{
    if (append(&journal, arg) != 0)
        fprintf(stderr, "writer: nothing appended\n");
    return NULL;
}

static void *loader(void *arg)
{
    pthread_mutex_lock(&config_lock);
    if (!arg) {
        fprintf(stderr, "loader: no configuration\n");
        pthread_mutex_unlock(&config_lock);
        pthread_exit(NULL);
    }
    snprintf(config, sizeof config, "%s", (const char *)arg);
    pthread_mutex_unlock(&config_lock);
    return NULL;
}

static void *dies_holding_robust(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&shared_state);
    return NULL; /* "crashes" in its critical section */
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, writer, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    if (pthread_create(&t, NULL, loader, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);

    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&shared_state, &attr);
    if (pthread_create(&t, NULL, dies_holding_robust, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    if (pthread_mutex_lock(&shared_state) == EOWNERDEAD) {
        printf("repairing the shared state\n");
        pthread_mutex_consistent(&shared_state);
    }
    pthread_mutex_unlock(&shared_state);

    pthread_mutex_lock(&journal.lock); /* held at return: exit() ends it all */
    printf("%d line(s), config '%s'\n", journal.n, config);
    return 0;
}
