/* Publication through an atomic flag with release/acquire: the writer fills
 * the configuration, then stores `ready` with release; the reader loads it
 * with acquire and only then reads the configuration. The release store
 * happens before the acquire load that sees it, so the plain accesses are
 * ordered.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static struct {
    int port;
    char host[32];
} config;
static atomic_int ready;

static void *publisher(void *arg)
{
    (void)arg;
    config.port = 8080;
    snprintf(config.host, sizeof config.host, "localhost");
    atomic_store_explicit(&ready, 1, memory_order_release);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, publisher, NULL);
    while (!atomic_load_explicit(&ready, memory_order_acquire))
        sched_yield();
    printf("%s:%d\n", config.host, config.port);
    pthread_join(t, NULL);
    return 0;
}
