/* Signal dispositions: the program's handlers, which reach the program
 * through a wrapper that gives them the happens-before edge of their
 * installation, and the runtime's own handlers (fatal signals, the
 * watchdog's stack requests), which the program never sees. */
#ifndef CC_SIGNALS_H
#define CC_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* sigaction as the program calls it (interpose/signal.c): the real call's
 * result and errno; oldact as the program set it. */
int cc_signal_action(int sig, const struct sigaction *act, struct sigaction *oldact);

/* signal() and its aliases, which install through libc's own internal
 * sigaction with flags of libc's choosing: `real` is the real call, made
 * with `handler`. Returns its result, the previous handler as the program
 * set it. */
typedef void (*cc_sighandler_t)(int);
cc_sighandler_t cc_signal_install_via(int sig, cc_sighandler_t handler,
                                      cc_sighandler_t (*real)(int, cc_sighandler_t));

/* Installs one of the runtime's handlers where the program left the
 * default action. False if the program has a disposition of its own. */
bool cc_signal_claim(int sig, void (*handler)(int), int flags, bool block_all);

/* The runtime's handler claimed for sig is still the disposition: no
 * interposed call of the program has replaced it since. */
bool cc_signal_claimed(int sig);

#endif
