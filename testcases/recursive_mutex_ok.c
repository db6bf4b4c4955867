/* A recursive mutex (and a recursive C11 mtx) used correctly: a function
 * that holds the lock calls others that take it again, each unlock matches
 * a lock, and two threads take turns. Relocking and out-of-order looking
 * unlocks are all legal here.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <threads.h>

static pthread_mutex_t tree_lock;
static mtx_t c11_lock;
static int nodes;

static void add_leaf(void)
{
    pthread_mutex_lock(&tree_lock);
    nodes++;
    pthread_mutex_unlock(&tree_lock);
}

static void add_subtree(int depth)
{
    pthread_mutex_lock(&tree_lock);
    nodes++;
    if (depth > 0) {
        add_subtree(depth - 1);
        add_leaf();
    }
    if (pthread_mutex_trylock(&tree_lock) == 0) /* succeeds: we own it */
        pthread_mutex_unlock(&tree_lock);
    pthread_mutex_unlock(&tree_lock);
}

static void c11_nested(int depth)
{
    mtx_lock(&c11_lock);
    nodes++;
    if (depth > 0)
        c11_nested(depth - 1);
    mtx_unlock(&c11_lock);
}

static void *builder(void *arg)
{
    (void)arg;
    add_subtree(4);
    c11_nested(3);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&tree_lock, &attr);
    mtx_init(&c11_lock, mtx_plain | mtx_recursive);
    pthread_t t;
    if (pthread_create(&t, NULL, builder, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    builder(NULL);
    pthread_mutex_destroy(&tree_lock);
    mtx_destroy(&c11_lock);
    printf("%d nodes\n", nodes);
    return 0;
}
