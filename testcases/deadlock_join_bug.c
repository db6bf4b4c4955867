/* Pitfall: a deadlock through a join. A coordinator thread takes the lock L,
 * starts a helper, and joins it while still holding L; the helper needs L to
 * do its work. The helper waits for the coordinator to release L, the
 * coordinator waits for the helper to finish: neither ever moves (and main,
 * joining the coordinator, waits forever too). Without ccheck it hangs.
 *
 * ccheck's watchdog must report a `deadlock`: a wait-for cycle of a join and
 * a lock, pointing at the coordinator's join and the helper's lock (the lines
 * marked below), and end the process.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static long state;

static void *helper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock); /* ccheck-expect: deadlock */
    state++;
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

static void *coordinator(void *arg)
{
    (void)arg;
    pthread_t h;
    pthread_mutex_lock(&state_lock);
    if (pthread_create(&h, NULL, helper, NULL) != 0) {
        pthread_mutex_unlock(&state_lock);
        return NULL;
    }
    pthread_join(h, NULL); /* ccheck-expect: deadlock */
    state *= 2;
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, coordinator, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    puts("not reached");
    return 0;
}
