/* Fixed twin of misuse_errorcheck_bug.c: flush_locked() expects its caller
 * to hold the mutex instead of locking it again, and the error path of
 * save() unlocks once.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t buffer_lock;
static char buffer[64];
static int used;

/* The caller holds buffer_lock. */
static void flush_locked(void)
{
    used = 0;
}

static int save(const char *text)
{
    pthread_mutex_lock(&buffer_lock);
    if (!text) {
        pthread_mutex_unlock(&buffer_lock);
        return -1;
    }
    used += snprintf(buffer + used, sizeof buffer - (size_t)used, "%s", text);
    if (used > 32)
        flush_locked();
    pthread_mutex_unlock(&buffer_lock);
    return 0;
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
    pthread_mutex_destroy(&buffer_lock);
    printf("%d byte(s) buffered\n", used);
    return 0;
}
