/* Fixed twin of c11_unjoined_bug.c: main joins every C11 thread it created
 * with thrd_join and uses their results.
 *
 * ccheck must report nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <threads.h>

#define N_WORKERS 2

static int worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += i * (id + 1);
    return (int)(sum % 1000);
}

int main(void)
{
    thrd_t threads[N_WORKERS];
    for (int i = 0; i < N_WORKERS; i++) {
        if (thrd_create(&threads[i], worker, (void *)(intptr_t)i) != thrd_success) {
            fprintf(stderr, "thrd_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < N_WORKERS; i++) {
        int res = 0;
        thrd_join(threads[i], &res);
        printf("worker %d: %d\n", i, res);
    }
    return 0;
}
