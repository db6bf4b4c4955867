/* Fixed twin of misuse_uninitialized_bug.c, and the locks that are
 * initialised without an init call, which ccheck must not take for garbage:
 * a mutex in calloc'd (zeroed) memory, which glibc defines as
 * PTHREAD_MUTEX_INITIALIZER; static initializers, also the _NP ones that
 * set a type (recursive, error-checking, adaptive) or an rwlock kind
 * (writer-preferring), on static and automatic variables; a C11 mtx_t in
 * zeroed memory; a mutex and an rwlock initialised explicitly; and a
 * spinlock, whose memory ccheck cannot judge.
 *
 * ccheck must report nothing.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

typedef struct account {
    pthread_mutex_t lock;
    long balance;
} account_t;

static pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t errorcheck = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t adaptive = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
static pthread_rwlock_t table = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static long total;

static void deposit(account_t *a, long amount)
{
    pthread_mutex_lock(&a->lock);
    a->balance += amount;
    pthread_mutex_unlock(&a->lock);
}

static void add(pthread_mutex_t *m, long amount)
{
    pthread_mutex_lock(m);
    total += amount;
    pthread_mutex_unlock(m);
}

int main(void)
{
    /* The fix of the bug twin: initialise the lock. */
    account_t *savings = malloc(sizeof *savings);
    account_t *checking = calloc(1, sizeof *checking); /* zeroed: initialised */
    if (!savings || !checking) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    pthread_mutex_init(&savings->lock, NULL);
    savings->balance = 0;
    deposit(savings, 100);
    deposit(checking, 50);

    /* Static initializers, and one on an automatic variable. */
    pthread_mutex_t local = PTHREAD_MUTEX_INITIALIZER;
    add(&plain, 1);
    add(&recursive, 2);
    pthread_mutex_lock(&recursive);
    add(&recursive, 3); /* taken again while held: a recursive mutex */
    pthread_mutex_unlock(&recursive);
    add(&errorcheck, 4);
    add(&adaptive, 5);
    add(&local, 6);

    pthread_rwlock_t index = PTHREAD_RWLOCK_INITIALIZER;
    pthread_rwlock_rdlock(&table);
    pthread_rwlock_rdlock(&index);
    pthread_rwlock_unlock(&index);
    pthread_rwlock_unlock(&table);
    pthread_rwlock_t explicit_rw;
    pthread_rwlock_init(&explicit_rw, NULL);
    pthread_rwlock_wrlock(&explicit_rw);
    pthread_rwlock_unlock(&explicit_rw);
    pthread_rwlock_destroy(&explicit_rw);

    /* C11: glibc's mtx_t is a pthread mutex, zeroed memory a plain one. */
    mtx_t *zeroed = calloc(1, sizeof *zeroed);
    if (!zeroed) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    mtx_lock(zeroed);
    total++;
    mtx_unlock(zeroed);

    pthread_spinlock_t spin;
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_lock(&spin);
    total++;
    pthread_spin_unlock(&spin);
    pthread_spin_destroy(&spin);

    printf("savings %ld, checking %ld, total %ld\n", savings->balance, checking->balance,
           total);
    pthread_mutex_destroy(&savings->lock);
    free(savings);
    free(checking);
    free(zeroed);
    return 0;
}
