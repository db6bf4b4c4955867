/* The fixed twin of self_deadlock_bug.c: the lock is recursive, as Python's
 * RLock, so the nested acquisition by the holder succeeds. ccheck must
 * report nothing. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t cache_lock;
static int cache[16];

static int lookup(int key)
{
    pthread_mutex_lock(&cache_lock);
    int value = cache[key & 15];
    pthread_mutex_unlock(&cache_lock);
    return value;
}

static void refresh(int key)
{
    pthread_mutex_lock(&cache_lock);
    cache[key & 15] = lookup(key) + 1;
    pthread_mutex_unlock(&cache_lock);
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&cache_lock, &attr);
    refresh(3);
    printf("%d\n", cache[3]);
    pthread_mutex_destroy(&cache_lock);
    return cache[3] == 1 ? 0 : 1;
}
