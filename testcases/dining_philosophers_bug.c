/* Pitfall: the dining philosophers. Five philosophers sit around a table
 * with one fork between each pair; each takes the fork on the left, then the
 * one on the right. When all five hold their left fork at once, every right
 * fork is some neighbour's left fork and nobody can ever eat. Here that
 * schedule is forced: each philosopher, holding its left fork, waits
 * (through a relaxed atomic the detector cannot see) until all five hold
 * theirs, then reaches for the right one. Without ccheck it hangs.
 *
 * ccheck's watchdog must report a `deadlock`: a cycle of five threads, each
 * blocked at the right-fork line (marked below) for a fork its neighbour
 * holds, and end the process.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

enum { PHILOSOPHERS = 5 };

static pthread_mutex_t forks[PHILOSOPHERS];
static long meals[PHILOSOPHERS];

/* Relaxed on purpose: it forces the schedule without any happens-before
 * edge the detector could see. */
static atomic_int holding_left;

static void *philosopher(void *arg)
{
    int id = (int)(intptr_t)arg;
    pthread_mutex_t *left = &forks[id];
    pthread_mutex_t *right = &forks[(id + 1) % PHILOSOPHERS];

    pthread_mutex_lock(left);
    atomic_fetch_add_explicit(&holding_left, 1, memory_order_relaxed);
    while (atomic_load_explicit(&holding_left, memory_order_relaxed) < PHILOSOPHERS)
        sched_yield();
    pthread_mutex_lock(right); /* ccheck-expect: deadlock */
    meals[id]++;
    pthread_mutex_unlock(right);
    pthread_mutex_unlock(left);
    return NULL;
}

int main(void)
{
    pthread_t t[PHILOSOPHERS];
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i], NULL);
    for (int i = 0; i < PHILOSOPHERS; i++) {
        if (pthread_create(&t[i], NULL, philosopher, (void *)(intptr_t)i) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_join(t[i], NULL);
    puts("not reached");
    return 0;
}
