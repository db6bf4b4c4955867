/* TSan's test-only barrier (__tsan_testonly_barrier_*, which ThreadSanitizer's
 * own race tests use) orders threads without happens-before: the write
 * below comes after the other thread's write in time, every run, and still
 * races with it. ccheck provides the barrier so that such tests link
 * unchanged, and must report the race. The twin uses a pthread barrier,
 * which does order the writes.
 */
#include <pthread.h>
#include <stdio.h>

void __tsan_testonly_barrier_init(unsigned *barrier, unsigned count);
void __tsan_testonly_barrier_wait(unsigned *barrier);

static unsigned invisible;
static long value;

static void *first(void *arg)
{
    (void)arg;
    value = 1; /* ccheck-expect: data-race */
    __tsan_testonly_barrier_wait(&invisible);
    return NULL;
}

int main(void)
{
    __tsan_testonly_barrier_init(&invisible, 2);
    pthread_t t;
    pthread_create(&t, NULL, first, NULL);
    __tsan_testonly_barrier_wait(&invisible);
    value = 2; /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    printf("value %ld\n", value);
    return 0;
}
