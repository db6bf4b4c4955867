/* One thread takes A then B, and later B then A. Only one thread ever
 * takes these locks, so the two orders can never wait on each other: a
 * cycle made of one thread's edges is not a deadlock (design.md's filter;
 * Helgrind would report it). Its twin with two threads is lock_order_bug.c.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *both_orders(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);

    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    counter++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, both_orders, NULL);
    pthread_join(t, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
