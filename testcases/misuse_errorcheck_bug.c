/* Pitfall: the mistakes an error-checking mutex exists to catch, caught but
 * ignored. flush() locks the buffer mutex its caller already holds (with a
 * default mutex that would deadlock; this one fails with EDEADLK), and the
 * error path of save() unlocks twice (the second unlock fails with EPERM).
 * The program checks neither result, so the first mistake also makes a
 * second: flush()'s unlock releases its caller's lock, and the caller's own
 * unlock then fails with EPERM too.
 *
 * ccheck must report errorcheck-deadlock at the second lock and
 * errorcheck-not-owner at both failing unlocks, and nothing else.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t buffer_lock;
static char buffer[64];
static int used;

static void flush(void)
{
    pthread_mutex_lock(&buffer_lock); /* ccheck-expect: errorcheck-deadlock */
    used = 0;
    pthread_mutex_unlock(&buffer_lock);
}

static int save(const char *text)
{
    pthread_mutex_lock(&buffer_lock);
    if (!text) {
        pthread_mutex_unlock(&buffer_lock);
        goto out;
    }
    used += snprintf(buffer + used, sizeof buffer - (size_t)used, "%s", text);
    if (used > 32)
        flush(); /* already holding buffer_lock */
    pthread_mutex_unlock(&buffer_lock); /* ccheck-expect: errorcheck-not-owner */
    return 0;
out:
    pthread_mutex_unlock(&buffer_lock); /* ccheck-expect: errorcheck-not-owner */
    return -1;
}

static void *writer(void *arg)
{
    (void)arg;
    save("a rather long line of text that fills the buffer");
    save(NULL);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&buffer_lock, &attr);
    pthread_t t;
    if (pthread_create(&t, NULL, writer, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    printf("%d byte(s) buffered\n", used);
    return 0;
}
