/* See race_jobs.h. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "options.h"
#include "race/race.h"
#include "support/race_jobs.h"
#include "support/trace_files.h"
#include "thread.h"

cc_thread_t *start_race_runtime(const char *name)
{
    cc_options_init(NULL);
    cc_thread_t *t = start_traced_runtime(name);
    if (!t)
        return NULL;
    cc_race_enable();
    return t->race.active ? t : NULL;
}

void *job_main(void *job)
{
    job_t *j = job;
    cc_thread_t *t = cc_enter(); /* registers it: a slot of its own */
    if (!t)
        return NULL;
    j->tid = t->tid;
    j->slot = t->race.slot;
    j->active = t->race.active;
    cc_leave(t);
    if (j->active)
        j->fn(j);
    cc_thread_exit(CC_EXIT_RETURN);
    return NULL;
}

void run(job_t *j, void (*fn)(job_t *j), void *arg)
{
    memset(j, 0, sizeof *j);
    j->fn = fn;
    j->arg = arg;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, job_main, j), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_true(j->active);
}
