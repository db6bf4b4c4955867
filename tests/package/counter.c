/* The program of the packaging tests: two threads increment a counter with
 * no lock (a data race), or with one when built with -DLOCKED. It includes
 * ccheck/annotations.h to check that the include path is set up. */
#include <ccheck/annotations.h>
#include <pthread.h>
#include <stdio.h>

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
#ifdef LOCKED
        pthread_mutex_lock(&lock);
#endif
        counter++; /* package-check: race */
#ifdef LOCKED
        pthread_mutex_unlock(&lock);
#endif
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, count, NULL);
    pthread_create(&b, NULL, count, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("counter %ld\n", counter);
    return 0;
}
