/* Pitfall: changing a buffer while another thread writes it out. write()
 * reads the bytes it sends; main refills the buffer for the next message
 * before the logger has finished with it, so the logger may send half of
 * one message and half of the next.
 *
 * ccheck must report the race between the write() and the refill.
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
    memcpy(line, "second", 6); /* ccheck-expect: data-race */
    pthread_join(t, NULL);
    close(out);
    return 0;
}
