/* split_order: half of a lock-order inversion per run, for the merge test.
 *
 *   split_order ab   a worker thread takes A, then B (and nothing else)
 *   split_order ba   a worker thread takes B, then A
 *
 * Neither run has a cycle on its own; a report over the traces of both runs
 * must find the inversion A -> B -> A, because A and B are static mutexes
 * and get the same lock class in every run. The edge is made by a created
 * thread, not by main, so that the two halves come from two threads.
 *
 * check_merge.sh finds the lines the report must point at by the
 * `merge-check:` markers below: `held` where the first lock is taken,
 * `acquire` where the second one is.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a); /* merge-check: held */
    pthread_mutex_lock(&b); /* merge-check: acquire */
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b); /* merge-check: held */
    pthread_mutex_lock(&a); /* merge-check: acquire */
    counter++;
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return NULL;
}

int main(int argc, char **argv)
{
    void *(*order)(void *);
    if (argc == 2 && strcmp(argv[1], "ab") == 0) {
        order = take_a_then_b;
    } else if (argc == 2 && strcmp(argv[1], "ba") == 0) {
        order = take_b_then_a;
    } else {
        fprintf(stderr, "usage: split_order ab|ba\n");
        return 2;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, order, NULL) != 0) {
        fprintf(stderr, "split_order: pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    printf("counter = %ld\n", counter);
    return 0;
}
