/* Pitfall: a lock never released on an error path. append() jumps over its
 * unlock when it is given no line, and the loader leaves with pthread_exit
 * when it finds no configuration, each still holding its mutex. The thread
 * ends, the mutex stays locked forever, and the next thread that locks it
 * waits forever (this program does not, so it ends normally).
 *
 * ccheck must report two exit-holding-lock findings, each with the place
 * the mutex was locked (and, for the loader, where it called pthread_exit),
 * and nothing else.
 */
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
static char config[64];

static int append(struct journal *j, const char *line)
{
    int rc = -1;
    pthread_mutex_lock(&j->lock); /* ccheck-expect: exit-holding-lock */
    if (!line || j->n == 16)
        goto fail; /* jumps over the unlock */
    snprintf(j->lines[j->n++], sizeof j->lines[0], "%s", line);
    rc = 0;
    pthread_mutex_unlock(&j->lock);
fail:
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
    pthread_mutex_lock(&config_lock); /* ccheck-expect: exit-holding-lock */
    if (!arg) {
        fprintf(stderr, "loader: no configuration\n");
        pthread_exit(NULL); /* ccheck-expect: exit-holding-lock */
    }
    snprintf(config, sizeof config, "%s", (const char *)arg);
    pthread_mutex_unlock(&config_lock);
    return NULL;
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
    printf("%d line(s), config '%s'\n", journal.n, config);
    return 0;
}
