/* Pitfall: locks in malloc'd objects that nobody initialised. new_account
 * and new_ledger forget pthread_mutex_init / pthread_rwlock_init, so each
 * lock is whatever bytes malloc's memory held. Here that memory is filled
 * with 0xA5 bytes, as a debugging allocator or MALLOC_PERTURB_ does, so the
 * run repeats; what glibc then does depends on the bytes:
 *
 *  - savings: all 0xA5. The mutex type field (__kind) names no type glibc
 *    knows, so every lock and unlock fails with EINVAL, and the deposit,
 *    whose result nobody checks, runs unprotected.
 *  - checking: the same bytes, but the mutex's lock word, its owner and
 *    the low half of its type field are zero, as in memory a previous
 *    object left partly zero (set by hand below to get this case). glibc's
 *    lock looks at nothing else and takes it as a default mutex; the stray
 *    high bits of the type are still no type an init call or a static
 *    initializer can leave. (With a nonzero lock word, glibc's lock would
 *    wait forever for a holder that does not exist; with a nonzero owner,
 *    it fails an assertion and aborts.)
 *  - ledger: an rwlock of 0xA5 bytes. glibc write-locks it, but its
 *    reserved fields, which every init and initializer leaves zero, are
 *    not.
 *
 * ccheck must report use-uninitialized at each of the three lock calls
 * (the stacks go through the lines in main), and nothing else.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct account {
    pthread_mutex_t lock;
    long balance;
} account_t;

typedef struct ledger {
    pthread_rwlock_t lock;
    long entries;
} ledger_t;

static void *garbage(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memset(p, 0xA5, size);
    return p;
}

/* The bug: no pthread_mutex_init(&a->lock, NULL). */
static account_t *new_account(void) { return garbage(sizeof(account_t)); }

/* The bug: no pthread_rwlock_init(&l->lock, NULL). */
static ledger_t *new_ledger(void) { return garbage(sizeof(ledger_t)); }

static void deposit(account_t *a, long amount)
{
    pthread_mutex_lock(&a->lock); /* ccheck-expect: use-uninitialized */
    a->balance += amount;
    pthread_mutex_unlock(&a->lock);
}

static void record(ledger_t *l)
{
    pthread_rwlock_wrlock(&l->lock); /* ccheck-expect: use-uninitialized */
    l->entries++;
    pthread_rwlock_unlock(&l->lock);
}

int main(void)
{
    account_t *savings = new_account();
    account_t *checking = new_account();
    checking->lock.__data.__lock = 0;
    checking->lock.__data.__owner = 0;
    checking->lock.__data.__kind &= ~0xffff;
    ledger_t *ledger = new_ledger();
    savings->balance = checking->balance = ledger->entries = 0;

    deposit(savings, 100);  /* ccheck-expect: use-uninitialized */
    deposit(checking, 50);  /* ccheck-expect: use-uninitialized */
    record(ledger);         /* ccheck-expect: use-uninitialized */

    printf("savings %ld, checking %ld, %ld ledger entries\n", savings->balance,
           checking->balance, ledger->entries);
    free(savings);
    free(checking);
    free(ledger);
    return 0;
}
