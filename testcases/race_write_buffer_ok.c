/* The fixed twin of race_write_buffer_bug.c: main refills the buffer only
 * after joining the logger, so the write() is done with it.
 *
 * ccheck must report nothing.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char line[64] = "first message\n";
static int out;

static void *logger(void *arg)
{
    (void)arg;
    if (write(out, line, strlen("first message\n")) < 0)
        perror("write");
    return NULL;
}

int main(void)
{
    out = open("/dev/null", O_WRONLY);
    if (out < 0) {
        perror("open");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, logger, NULL);
    pthread_join(t, NULL);
    memcpy(line, "second", 6);
    close(out);
    return 0;
}
