/* Fixed twin of deadlock_join_bug.c: the coordinator releases L before it
 * joins the helper, so the helper can take L and finish, and the join
 * returns. Never wait for a thread while holding a lock it may need.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static long state;

static void *helper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    state++;
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

static void *coordinator(void *arg)
{
    (void)arg;
    pthread_t h;
    pthread_mutex_lock(&state_lock);
    state = 1;
    if (pthread_create(&h, NULL, helper, NULL) != 0) {
        pthread_mutex_unlock(&state_lock);
        return NULL;
    }
    pthread_mutex_unlock(&state_lock);
    pthread_join(h, NULL);
    pthread_mutex_lock(&state_lock);
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
    printf("state = %ld\n", state);
    return 0;
}
