/* What the runtime tests share: CHECK, which prints a failed condition
 * with the round it failed in and counts it (the program exits non-zero
 * if any did), and the switch to the round with race detection on.
 * Each test is one program: this header defines, it does not declare. */
#ifndef CC_TEST_RUNTIME_CHECKS_H
#define CC_TEST_RUNTIME_CHECKS_H

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;
static const char *round_name = "race detection off";

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__,       \
                    round_name, #cond);                                                \
            failures++;                                                                \
        }                                                                              \
    } while (0)

/* Turns race detection on as an instrumented object's constructor would
 * (__tsan_init), for the second round; false (and says so) when there is
 * no __tsan_init: the program does not run under ccheck. */
static inline bool race_detection_on(void)
{
    void (*tsan_init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__tsan_init");
    if (!tsan_init) {
        printf("skipped: no __tsan_init, race detection cannot be turned on\n");
        return false;
    }
    round_name = "race detection on";
    tsan_init();
    return true;
}

#endif
