/* Every interposer must return exactly what the real call returns and leave
 * errno as the real call left it, on success and on failure, also when
 * ccheck reports the call as misuse. The misuses below are on purpose:
 *
 * ccheck-expect-summary: SUMMARY: ccheck: 12 findings (12 misuse) in 1 trace
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

static int failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            failures++;                                                                \
        }                                                                              \
    } while (0)

/* A deadline already passed on `clock`. */
static struct timespec past(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_sec -= 1;
    return ts;
}

static atomic_int detached_done;

static void *returns_arg(void *arg) { return arg; }
static int returns_five(void *arg) { return arg ? 0 : 5; }
static void *sets_done(void *arg)
{
    (void)arg;
    atomic_store_explicit(&detached_done, 1, memory_order_relaxed);
    return NULL;
}

static void *hold_until_released(void *arg)
{
    pthread_mutex_t *m = arg;
    pthread_mutex_lock(m);
    return NULL;
}

int main(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

    /* Success leaves errno alone, whatever it was. */
    errno = 1234;
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(errno == 1234);
    CHECK(pthread_mutex_trylock(&m) == EBUSY);
    CHECK(errno == 1234);
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(errno == 1234);

    /* Error-checking mutex: the real errors come back. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t ec;
    CHECK(pthread_mutex_init(&ec, &attr) == 0);
    errno = 4321;
    CHECK(pthread_mutex_unlock(&ec) == EPERM); /* errorcheck-not-owner */
    CHECK(errno == 4321);
    CHECK(pthread_mutex_lock(&ec) == 0);
    CHECK(pthread_mutex_lock(&ec) == EDEADLK); /* errorcheck-deadlock */
    CHECK(errno == 4321);
    CHECK(pthread_mutex_unlock(&ec) == 0);
    CHECK(pthread_mutex_destroy(&ec) == 0);

    /* Destroy of a locked mutex, and a lock after destroy. */
    pthread_mutex_t gone;
    CHECK(pthread_mutex_init(&gone, NULL) == 0);
    CHECK(pthread_mutex_lock(&gone) == 0);
    CHECK(pthread_mutex_destroy(&gone) == EBUSY); /* destroy-locked */
    CHECK(errno == 4321);
    CHECK(pthread_mutex_unlock(&gone) == 0);
    CHECK(pthread_mutex_destroy(&gone) == 0);
    CHECK(pthread_mutex_lock(&gone) == EINVAL); /* use-after-destroy */
    CHECK(errno == 4321);
    CHECK(pthread_mutex_init(&gone, NULL) == 0); /* legal again */
    CHECK(pthread_mutex_lock(&gone) == 0);
    CHECK(pthread_mutex_unlock(&gone) == 0);
    CHECK(pthread_mutex_destroy(&gone) == 0);

    /* Timed lock on a mutex another thread holds: ETIMEDOUT. */
    pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
    pthread_t holder;
    CHECK(pthread_create(&holder, NULL, hold_until_released, &held) == 0);
    CHECK(pthread_join(holder, NULL) == 0); /* it exits holding `held`: exit-holding-lock */
    struct timespec ts = past(CLOCK_REALTIME);
    struct timespec mono = past(CLOCK_MONOTONIC);
    CHECK(pthread_mutex_timedlock(&held, &ts) == ETIMEDOUT);
    CHECK(pthread_mutex_clocklock(&held, CLOCK_MONOTONIC, &mono) == ETIMEDOUT);

    /* Semaphores report through errno. */
    sem_t s;
    CHECK(sem_init(&s, 0, 0) == 0);
    errno = 0;
    CHECK(sem_trywait(&s) == -1 && errno == EAGAIN);
    errno = 0;
    CHECK(sem_timedwait(&s, &ts) == -1 && errno == ETIMEDOUT);
    errno = 77;
    CHECK(sem_post(&s) == 0 && errno == 77);
    CHECK(sem_wait(&s) == 0 && errno == 77);
    CHECK(sem_destroy(&s) == 0);

    /* Condition variable timeout keeps the mutex held. */
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(pthread_cond_timedwait(&c, &m, &ts) == ETIMEDOUT);
    CHECK(pthread_mutex_trylock(&m) == EBUSY);
    CHECK(pthread_mutex_unlock(&m) == 0);

    /* rwlocks and spinlocks. */
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    CHECK(pthread_rwlock_rdlock(&rw) == 0);
    CHECK(pthread_rwlock_trywrlock(&rw) == EBUSY);
    CHECK(pthread_rwlock_tryrdlock(&rw) == 0);
    CHECK(pthread_rwlock_timedwrlock(&rw, &ts) == ETIMEDOUT); /* recursive-wrlock */
    CHECK(pthread_rwlock_unlock(&rw) == 0);
    CHECK(pthread_rwlock_unlock(&rw) == 0);
    pthread_spinlock_t sp;
    CHECK(pthread_spin_init(&sp, 0) == 0);
    CHECK(pthread_spin_lock(&sp) == 0);
    CHECK(pthread_spin_trylock(&sp) == EBUSY);
    CHECK(pthread_spin_unlock(&sp) == 0);

    /* Joining a thread twice, or a bogus one. glibc keeps a joined
     * thread's memory cached, and no thread is created in between: the
     * second joins fail (ESRCH, thrd_error) instead of doing worse. */
    pthread_t self = pthread_self();
    CHECK(pthread_join(self, NULL) == EDEADLK);
    pthread_t twice;
    void *ret = NULL;
    CHECK(pthread_create(&twice, NULL, returns_arg, &ret) == 0);
    CHECK(pthread_join(twice, &ret) == 0 && ret == &ret);
    errno = 99;
    CHECK(pthread_join(twice, NULL) == ESRCH); /* double-join */
    CHECK(errno == 99);
    thrd_t c11;
    int res = 0;
    CHECK(thrd_create(&c11, returns_five, NULL) == thrd_success);
    CHECK(thrd_join(c11, &res) == thrd_success && res == 5);
    CHECK(thrd_join(c11, &res) == thrd_error); /* double-join */
    /* A detached thread: EINVAL, running or ended. */
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    pthread_t gone_thread;
    CHECK(pthread_create(&gone_thread, &detached, sets_done, NULL) == 0);
    pthread_attr_destroy(&detached);
    while (!atomic_load_explicit(&detached_done, memory_order_relaxed))
        sched_yield();
    CHECK(pthread_join(gone_thread, NULL) == EINVAL); /* join-detached */
    CHECK(errno == 99);

    /* A post past SEM_VALUE_MAX, a post after destroy: glibc's results. */
    sem_t full;
    CHECK(sem_init(&full, 0, SEM_VALUE_MAX) == 0);
    errno = 0;
    CHECK(sem_post(&full) == -1 && errno == EOVERFLOW); /* sem-overflow */
    CHECK(sem_destroy(&full) == 0);
    sem_t gone_sem;
    CHECK(sem_init(&gone_sem, 0, 0) == 0);
    CHECK(sem_destroy(&gone_sem) == 0);
    errno = 55;
    CHECK(sem_post(&gone_sem) == 0 && errno == 55);    /* sem-invalid */
    CHECK(sem_trywait(&gone_sem) == 0 && errno == 55); /* sem-invalid */

    /* C11 results. */
    mtx_t cm;
    CHECK(mtx_init(&cm, mtx_plain) == thrd_success);
    CHECK(mtx_lock(&cm) == thrd_success);
    CHECK(mtx_trylock(&cm) == thrd_busy);
    CHECK(mtx_unlock(&cm) == thrd_success);
    mtx_destroy(&cm);

    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
