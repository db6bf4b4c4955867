/* Pitfall: a semaphore posted after it was destroyed. Shutdown joins the
 * consumer and destroys the job semaphore, but a late producer still has
 * one job to hand in. glibc's sem_destroy changes nothing, so the post
 * seems to work; but the semaphore is gone, and had its memory been freed
 * or reused (it usually lives in a queue object that shutdown frees), the
 * post would write into whatever is there now. The threads are ordered
 * with relaxed atomics the detector cannot see.
 *
 * ccheck must report a sem-invalid at the late post, with where the
 * semaphore was destroyed, and nothing else.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>

static sem_t jobs;
static atomic_int destroyed;
static long handled;

static void *consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        sem_wait(&jobs);
        handled++;
    }
    return NULL;
}

static void *late_producer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&destroyed, memory_order_relaxed))
        sched_yield();
    sem_post(&jobs); /* ccheck-expect: sem-invalid */
    return NULL;
}

int main(void)
{
    sem_init(&jobs, 0, 0);
    pthread_t c, p;
    if (pthread_create(&c, NULL, consumer, NULL) != 0 ||
        pthread_create(&p, NULL, late_producer, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    sem_post(&jobs);
    sem_post(&jobs);
    pthread_join(c, NULL);
    sem_destroy(&jobs); /* ccheck-expect: sem-invalid */
    atomic_store_explicit(&destroyed, 1, memory_order_relaxed);
    pthread_join(p, NULL);
    printf("%ld jobs handled\n", handled);
    return 0;
}
