/* Pitfall: a non-recursive lock taken twice by the same thread. A helper
 * takes the lock its caller already holds (Python's Lock, not RLock); the
 * default mutex then waits for itself forever.
 *
 * ccheck's watchdog must report a `self-deadlock` at the inner lock and end
 * the process.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache[16];

static int lookup(int key)
{
    pthread_mutex_lock(&cache_lock); /* ccheck-expect: self-deadlock */
    int value = cache[key & 15];
    pthread_mutex_unlock(&cache_lock);
    return value;
}

static void refresh(int key)
{
    pthread_mutex_lock(&cache_lock);
    cache[key & 15] = lookup(key) + 1; /* calls back into the lock */
    pthread_mutex_unlock(&cache_lock);
}

int main(void)
{
    refresh(3);
    printf("%d\n", cache[3]);
    return 0;
}
