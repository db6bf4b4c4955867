/* A counting semaphore used for what it is for: limiting how many clients
 * use a pool of three connections at once. Six clients each take a permit,
 * pick a free connection under the pool's mutex, use it, put it back and
 * return the permit. The semaphore only counts; the mutex guards the pool's
 * bookkeeping (contrast race_semaphore2_bug.c, where a semaphore of two is
 * taken for a lock). The first three clients stay inside until all three
 * are in (through a relaxed atomic the detector cannot see), so the limit
 * is really reached while the other three wait in sem_wait.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

enum { CONNECTIONS = 3, CLIENTS = 6 };

static sem_t permits;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static bool in_use[CONNECTIONS];
static long queries[CONNECTIONS];

/* Checks only, relaxed: clients inside now, the most ever, and the first
 * arrivals (held inside until the pool is full). */
static atomic_int inside, most_inside, arrivals;

static int acquire_connection(void)
{
    sem_wait(&permits);
    pthread_mutex_lock(&pool_lock);
    int c = 0;
    while (in_use[c]) /* a permit guarantees a free connection */
        c++;
    in_use[c] = true;
    pthread_mutex_unlock(&pool_lock);
    return c;
}

static void release_connection(int c)
{
    pthread_mutex_lock(&pool_lock);
    in_use[c] = false;
    pthread_mutex_unlock(&pool_lock);
    sem_post(&permits);
}

static void *client(void *arg)
{
    (void)arg;
    int c = acquire_connection();
    int now = atomic_fetch_add_explicit(&inside, 1, memory_order_relaxed) + 1;
    int most = atomic_load_explicit(&most_inside, memory_order_relaxed);
    while (now > most &&
           !atomic_compare_exchange_weak_explicit(&most_inside, &most, now, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
    if (atomic_fetch_add_explicit(&arrivals, 1, memory_order_relaxed) < CONNECTIONS) {
        while (atomic_load_explicit(&arrivals, memory_order_relaxed) < CONNECTIONS)
            sched_yield();
    }
    queries[c]++; /* connection c is this client's alone until it is put back */
    atomic_fetch_sub_explicit(&inside, 1, memory_order_relaxed);
    release_connection(c);
    return NULL;
}

int main(void)
{
    sem_init(&permits, 0, CONNECTIONS);
    pthread_t t[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&t[i], NULL, client, NULL);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(t[i], NULL);
    sem_destroy(&permits);
    long total = 0;
    for (int c = 0; c < CONNECTIONS; c++)
        total += queries[c];
    int most = atomic_load_explicit(&most_inside, memory_order_relaxed);
    printf("%ld queries, at most %d connections in use of %d\n", total, most, CONNECTIONS);
    return total == CLIENTS && most == CONNECTIONS ? 0 : 1;
}
