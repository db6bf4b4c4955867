/* A signal handler reads a setting the program wrote before installing the
 * handler. The handler runs after the sigaction that installed it, so the
 * write happens before the read on whatever thread the signal lands: here
 * on a worker that raises it on itself, and on one the main thread sends
 * it to with pthread_kill. Both workers were started before the write, and
 * nothing else orders them with it (they wait on relaxed atomics).
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

static int limit;
static atomic_int installed, handled, seen;

static void on_usr1(int sig)
{
    (void)sig;
    atomic_fetch_add_explicit(&seen, limit, memory_order_relaxed);
    atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
}

static void *raiser(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&installed, memory_order_relaxed))
        sched_yield();
    raise(SIGUSR1);
    return NULL;
}

static void *target(void *arg)
{
    (void)arg;
    while (atomic_load_explicit(&handled, memory_order_relaxed) < 2)
        sched_yield();
    return NULL;
}

int main(void)
{
    pthread_t r, t;
    pthread_create(&r, NULL, raiser, NULL);
    pthread_create(&t, NULL, target, NULL);
    limit = 42;
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    atomic_store_explicit(&installed, 1, memory_order_relaxed);
    while (atomic_load_explicit(&handled, memory_order_relaxed) < 1)
        sched_yield();
    pthread_kill(t, SIGUSR1);
    pthread_join(r, NULL);
    pthread_join(t, NULL);
    printf("limit %d, seen twice\n", atomic_load(&seen) / 2);
    return 0;
}
