/* Where a process ends, forks or changes image: _exit, fork and exec.
 * exit() itself is seen by the runtime's destructor, fatal signals by its
 * handlers, the fork's own bookkeeping by its pthread_atfork handlers
 * (runtime/init.c).
 *
 * dlopen is deliberately not interposed: glibc resolves $ORIGIN and the
 * caller's RUNPATH from dlopen's return address, which an interposer would
 * turn into libccheck's. New modules are noticed instead through
 * dl_iterate_phdr's load counter before each unwind (runtime/modules.c).
 * Unwinding inside a library constructor is safe on glibc: dl_iterate_phdr
 * takes the loader's write lock, not the load lock dlopen holds. */
#include <stdarg.h>
#include <unistd.h>

#include "interpose.h"

CC_EXPORT void _exit(int status)
{
    cc_runtime_end(CC_END__EXIT, status);
    CC_REAL(_exit)(status);
    __builtin_unreachable();
}

CC_EXPORT void _Exit(int status)
{
    cc_runtime_end(CC_END__EXIT, status);
    CC_REAL(_Exit)(status);
    __builtin_unreachable();
}

/* fork runs the program's pthread_atfork handlers: prepare in the parent
 * before the fork, parent and child after it, in each process. As under
 * TSan, whose test suite (and the programs tested under it) rely on it,
 * their memory accesses are not checked: they run wherever the program
 * happens to fork, typically to reset state for the child, where the
 * threads whose accesses they would race with no longer exist. Only
 * accesses are ignored: the locks the handlers take still order, and
 * runtime/init.c's handlers still run. Both processes leave the region:
 * the child's thread state is the forking thread's, copied. */
CC_EXPORT pid_t fork(void)
{
    cc_thread_t *t = CC_RACE_ON() ? cc_enter() : NULL;
    if (!t)
        return CC_REAL(fork)();
    t->race.ignore_reads++;
    t->race.ignore_writes++;
    cc_leave(t);
    pid_t pid = CC_REAL(fork)();
    t->race.ignore_reads--;
    t->race.ignore_writes--;
    return pid;
}

/* Every exec ends this trace; the new image starts its own. If the exec
 * fails the process goes on and a later end record supersedes this one. */
static void before_exec(void) { cc_runtime_end(CC_END_EXEC, 0); }

CC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    before_exec();
    return CC_REAL(execve)(path, argv, envp);
}

CC_EXPORT int execv(const char *path, char *const argv[])
{
    before_exec();
    return CC_REAL(execv)(path, argv);
}

CC_EXPORT int execvp(const char *file, char *const argv[])
{
    before_exec();
    return CC_REAL(execvp)(file, argv);
}

CC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    before_exec();
    return CC_REAL(execvpe)(file, argv, envp);
}

CC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    before_exec();
    return CC_REAL(fexecve)(fd, argv, envp);
}

/* The execl family passes argv inline; gather it into an array on the
 * stack (exec must not allocate: it may run in a vfork child). */
#define CC_GATHER_ARGV(first, ap, argv, after)                                          \
    size_t argc_ = 1;                                                                  \
    va_start(ap, first);                                                               \
    while (va_arg(ap, const char *))                                                   \
        argc_++;                                                                       \
    va_end(ap);                                                                        \
    char **argv = __builtin_alloca((argc_ + 1) * sizeof *argv);                        \
    va_start(ap, first);                                                               \
    argv[0] = (char *)(first);                                                         \
    for (size_t i_ = 1; i_ <= argc_; i_++)                                             \
        argv[i_] = va_arg(ap, char *);                                                 \
    after;                                                                             \
    va_end(ap)

CC_EXPORT int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    CC_GATHER_ARGV(arg, ap, argv, (void)0);
    before_exec();
    return CC_REAL(execv)(path, argv);
}

CC_EXPORT int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    CC_GATHER_ARGV(arg, ap, argv, (void)0);
    before_exec();
    return CC_REAL(execvp)(file, argv);
}

CC_EXPORT int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    char *const *envp;
    CC_GATHER_ARGV(arg, ap, argv, envp = va_arg(ap, char *const *));
    before_exec();
    return CC_REAL(execve)(path, argv, envp);
}
