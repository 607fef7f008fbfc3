/*
 * Synchronous IPC between threads through endpoints. A message is the tag
 * and four words in the sender's saved registers (rsi, rdx, r10, r8, r9);
 * the receiver gets them in the same registers, the badge in rdi and the
 * status in rax. Fault messages come from struct fault_info instead.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/endpoint.h>
#include <kernel/endpoint.h>
#include <kernel/thread.h>

/* Current sends on e; blocks when nobody receives. With `call`, current
 * then waits for the reply. May switch threads. */
void ipc_send(struct endpoint *e, uint64_t badge, bool call, bool faulting);

/* Current receives on e; blocks when nobody sends. May switch threads. */
void ipc_recv(struct endpoint *e);

/* Queues current as a receiver on e without scheduling (the caller picks
 * who runs next). */
void ipc_block_recv(struct endpoint *e);

/* Checks that current's pending reply (tag and words in its registers)
 * can be delivered: IPC_OK, IPC_ENOREPLY when nobody waits, or the error
 * of a bad fault reply. Changes nothing. */
uint64_t ipc_reply_check(void);

/* Delivers the reply checked by ipc_reply_check; returns the caller it
 * woke (now ready but not queued: the caller decides) or NULL. */
struct thread *ipc_reply(void);

/* A saved reply (SYS_REPLY_SAVE): the right to answer one caller later,
 * so a server can take other calls meanwhile (a pager's wait()). */
struct reply_cap {
    struct object obj;
    struct thread *caller;          /* NULL once used or the caller is gone */
};

/* Moves current's pending reply into a new reply object: IPC_OK with
 * *out set, IPC_ENOREPLY, or IPC_ENOMEM. */
uint64_t ipc_reply_save(struct reply_cap **out);
/* Answers through a saved reply with the message in m (current's
 * registers); checked like a direct reply. Wakes the caller. */
uint64_t ipc_reply_saved(struct reply_cap *rc, const struct trap_frame *m);
void ipc_reply_release(struct reply_cap *rc);

/* Takes a thread blocked in an endpoint queue out of it: it resumes with
 * `status` in rax (a blocked fault sender is killed instead). */
void ipc_abort_wait(struct thread *t, uint64_t status);

/* Takes t out of whatever IPC wait it is in (an endpoint queue, or waiting
 * for a reply); afterwards it waits for nothing. */
void ipc_cancel_wait(struct thread *t);

/* When t dies: its callers fail with `status`, it leaves every queue. */
void ipc_detach(struct thread *t, uint64_t status);

/* The last thread of s is gone: tell its pager (DEATH_NOTICE, ipc/fault.h)
 * unless the pager is the one ending it. A receiver waiting on the pager
 * endpoint gets the notice now; else it waits there, before any sender. */
void ipc_post_death(struct space *s);
/* The endpoint goes: its waiting notices are dropped. */
void ipc_drop_notices(struct endpoint *e);
/* Whether a receive on e would find something at once. */
static inline bool ipc_pending(const struct endpoint *e)
{
    return ((uintptr_t)e->senders.head | (uintptr_t)e->notices) != 0;   /* one test */
}

#endif
