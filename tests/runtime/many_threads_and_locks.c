/* Thousands of threads created and joined in waves, a million lock
 * instances created, used and destroyed (heap churn reuses their
 * addresses), and a deep nest of held locks: the runtime's memory must stay
 * bounded and every result right. Checks its own peak RSS. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WAVES = 40, PER_WAVE = 100, LOCKS = 1000000, NEST = 200 };

static void *nothing(void *arg) { return arg; }

static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

int main(void)
{
    int failures = 0;
    for (int w = 0; w < WAVES; w++) {
        pthread_t t[PER_WAVE];
        for (int i = 0; i < PER_WAVE; i++)
            if (pthread_create(&t[i], NULL, nothing, (void *)(long)i) != 0)
                failures++;
        for (int i = 0; i < PER_WAVE; i++) {
            void *r;
            if (pthread_join(t[i], &r) != 0 || r != (void *)(long)i)
                failures++;
        }
    }
    for (int i = 0; i < LOCKS; i++) {
        pthread_mutex_t *m = malloc(sizeof *m);
        if (pthread_mutex_init(m, NULL) != 0 || pthread_mutex_lock(m) != 0 ||
            pthread_mutex_unlock(m) != 0 || pthread_mutex_destroy(m) != 0)
            failures++;
        free(m);
    }
    pthread_mutex_t *nest = calloc(NEST, sizeof *nest);
    for (int i = 0; i < NEST; i++)
        pthread_mutex_init(&nest[i], NULL);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < NEST; i++)
            if (pthread_mutex_lock(&nest[i]) != 0)
                failures++;
        for (int i = NEST; i-- > 0;)
            if (pthread_mutex_unlock(&nest[i]) != 0)
                failures++;
    }
    free(nest);
    long rss = peak_rss_kib();
    /* The design budget: the runtime's own footprint under 64 MiB. */
    if (rss > 96 * 1024) {
        fprintf(stderr, "peak RSS %ld KiB is too high\n", rss);
        failures++;
    }
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
