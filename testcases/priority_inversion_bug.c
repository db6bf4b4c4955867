/* Pitfall: priority inversion. A control loop runs as a real-time thread
 * (SCHED_FIFO) and shares `state_lock`, a default mutex, with an ordinary
 * logger thread. The logger takes the lock, and the control thread blocks
 * on it. A default mutex (PTHREAD_PRIO_NONE) does not lend the logger the
 * control thread's priority, so while the control thread waits, any thread
 * of a priority between the two (here none; in a real system, every
 * medium-priority worker) can preempt the logger and keep the control
 * thread waiting for as long as it runs: the bug that reset the Mars
 * Pathfinder.
 *
 * The check needs real-time scheduling. The control thread makes itself
 * SCHED_FIFO, which takes root, CAP_SYS_NICE or an RLIMIT_RTPRIO; without
 * that it says so and the program exits with 77 before anything else:
 * ccheck-may-skip: needs SCHED_FIFO (root, CAP_SYS_NICE or RLIMIT_RTPRIO)
 *
 * ccheck must report priority-inversion (a warning) at the control
 * thread's lock, and nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int state;
static sem_t logger_holds;       /* posted by the logger once it holds the lock */
static atomic_int raised;        /* 1: the control thread is SCHED_FIFO; -1: it cannot be */
static atomic_int control_tid;   /* its kernel thread id */
static atomic_int control_locking; /* it is past the semaphore, in its lock call */

/* Whether kernel thread tid is asleep (state S in /proc): the control
 * thread sleeps there only in its lock call once control_locking is set. */
static int asleep(int tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    char *end = got ? strrchr(line, ')') : NULL; /* the name may hold blanks */
    return end && end[1] == ' ' && end[2] == 'S';
}

/* Until the control thread blocks on the lock, for at most 10 s: the
 * report is made as it begins to wait, while the logger still holds it. */
static void wait_until_control_blocks(void)
{
    while (!atomic_load_explicit(&control_locking, memory_order_relaxed))
        sched_yield();
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        if (asleep(atomic_load_explicit(&control_tid, memory_order_relaxed)))
            return;
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < 10);
}

static void *control(void *arg)
{
    (void)arg;
    atomic_store_explicit(&control_tid, (int)gettid(), memory_order_relaxed);
    struct sched_param param = {.sched_priority = sched_get_priority_min(SCHED_FIFO) + 10};
    int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    atomic_store_explicit(&raised, rc == 0 ? 1 : -1, memory_order_relaxed);
    if (rc != 0) {
        fprintf(stderr, "control: cannot become SCHED_FIFO: %s\n", strerror(rc));
        return NULL;
    }
    sem_wait(&logger_holds);
    atomic_store_explicit(&control_locking, 1, memory_order_relaxed);
    pthread_mutex_lock(&state_lock); /* ccheck-expect: priority-inversion */
    state++;
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

static void *logger(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock);
    sem_post(&logger_holds);
    wait_until_control_blocks();
    printf("state: %d\n", state);
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

int main(void)
{
    sem_init(&logger_holds, 0, 0);
    pthread_t c, l;
    pthread_create(&c, NULL, control, NULL);
    while (!atomic_load_explicit(&raised, memory_order_relaxed))
        sched_yield();
    if (atomic_load_explicit(&raised, memory_order_relaxed) < 0) {
        pthread_join(c, NULL);
        fprintf(stderr, "priority_inversion_bug: skipped: needs SCHED_FIFO\n");
        return 77;
    }
    pthread_create(&l, NULL, logger, NULL);
    pthread_join(l, NULL);
    pthread_join(c, NULL);
    return 0;
}
