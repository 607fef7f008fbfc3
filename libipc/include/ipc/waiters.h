/*
 * A pager's record of the threads of one process blocked in PG_WAIT: each
 * has a saved reply (SYS_REPLY_SAVE) and the pid it waits for. Several
 * threads of a process may wait at once; every one is kept and answered,
 * up to WAITERS_MAX (beyond, the pager answers PG_ELIMIT at once).
 */
#ifndef IPC_WAITERS_H
#define IPC_WAITERS_H

#include <ipc/syscall.h>

#define WAITERS_MAX 8

struct waiters {
    handle_t reply[WAITERS_MAX];    /* 0: a free slot */
    int64_t  want[WAITERS_MAX];     /* the pid waited for, 0: any child */
};

/* Saves the reply to the current caller as a waiter for `want`. 0, or
 * PG_ELIMIT (every slot taken), or PG_ENOMEM (the save failed); the caller
 * answers at once on failure. */
uint64_t waiters_add(struct waiters *w, int64_t want);

/* Answers the first waiter for pid (or for any child) with m and forgets
 * it. 1 when one was answered, 0 when nobody waits for pid. */
int waiters_answer(struct waiters *w, int64_t pid, const struct ipc_msg *m);

/* Answers PG_ECHILD to every waiter for exactly pid (pid > 0: it was
 * reaped for another), or, with pid 0, to every waiter for any child (the
 * process has none left). */
void waiters_refuse(struct waiters *w, int64_t pid);

/* Whether some waiter waits for exactly `want` (0: for any child). */
int waiters_for(const struct waiters *w, int64_t want);

/* Closes every saved reply (the process is gone). */
void waiters_drop(struct waiters *w);

#endif
