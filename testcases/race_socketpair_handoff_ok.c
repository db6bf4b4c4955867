/* Requests and replies over a socketpair: main fills a request, sends it
 * with sendmsg (two iovecs: a header and the payload) and waits for the
 * reply with recv; the worker receives with readv, writes its answer into
 * shared memory and replies with send. Every send happens before the
 * receive that gets its bytes (both ends of a socketpair share one clock),
 * so the request, the answer and the buffers the calls fill are ordered.
 *
 * ccheck must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { ROUNDS = 100 };

static int sv[2];
static struct {
    int round;
    char text[32];
} request;
static long answers[ROUNDS];

static void *serve(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        int round;
        char text[sizeof request.text];
        struct iovec iov[2] = {{&round, sizeof round}, {text, sizeof text}};
        if (readv(sv[1], iov, 2) != (ssize_t)(sizeof round + sizeof text))
            return NULL;
        /* The request itself, read in place: ordered by the readv. */
        answers[request.round] = (long)strlen(request.text) + round;
        char ok = 1;
        if (send(sv[1], &ok, 1, 0) != 1)
            return NULL;
    }
    return NULL;
}

int main(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, serve, NULL);
    long sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        request.round = i;
        snprintf(request.text, sizeof request.text, "request %d", i);
        struct iovec iov[2] = {{&request.round, sizeof request.round},
                               {request.text, sizeof request.text}};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
        if (sendmsg(sv[0], &msg, 0) != (ssize_t)(sizeof request.round + sizeof request.text)) {
            perror("sendmsg");
            return 1;
        }
        char ok;
        if (recv(sv[0], &ok, 1, 0) != 1) {
            perror("recv");
            return 1;
        }
        sum += answers[i];
    }
    pthread_join(t, NULL);
    printf("sum %ld\n", sum);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
