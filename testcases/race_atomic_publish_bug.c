/* Pitfall: publication through a relaxed atomic flag. A relaxed store and
 * load order nothing but the flag itself, so the reader's plain reads of
 * the configuration race with the writer's plain writes (on a weakly
 * ordered CPU it can see the flag set and the port not yet written).
 *
 * ccheck must report the race on the configuration.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static struct {
    int port;
} config;
static atomic_int ready;

static void *publisher(void *arg)
{
    (void)arg;
    config.port = 8080; /* ccheck-expect: data-race */
    atomic_store_explicit(&ready, 1, memory_order_relaxed);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, publisher, NULL);
    while (!atomic_load_explicit(&ready, memory_order_relaxed))
        sched_yield();
    printf("port %d\n", config.port); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    return 0;
}
