/*
 * Threads. A thread's user registers live in its control block: entry
 * code saves them there and the exit path loads them from there, so the
 * kernel has one stack per CPU and switching is choosing another block.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <arch/trap.h>
#include <kernel/object.h>

/* The user-visible values are ipc/abi.h's THREAD_*. */
enum thread_state {
    TS_INACTIVE = THREAD_INACTIVE,          /* created or stopped */
    TS_READY = THREAD_READY,                /* in a ready queue */
    TS_RUNNING = THREAD_RUNNING,            /* current */
    TS_BLOCKED_SEND = THREAD_BLOCKED_SEND,  /* in an endpoint's send queue */
    TS_BLOCKED_RECV = THREAD_BLOCKED_RECV,  /* in an endpoint's receive queue */
    TS_BLOCKED_REPLY = THREAD_BLOCKED_REPLY, /* waiting for `replier` to answer */
    TS_DEAD,
};

struct endpoint;
struct space;
struct reply_cap;

struct fault_info {
    uint64_t label;     /* the message's tag: FAULT_PAGE or FAULT_EXCEPTION, | TAG_KERNEL */
    uint64_t addr, error, ip, vector, rsp;
};

struct thread {
    struct object obj;
    struct trap_frame ctx;          /* user registers; 16-aligned, see percpu */
    uint64_t id;
    uint8_t  state;
    uint8_t  priority;
    bool     call;                  /* the pending send wants a reply */
    bool     faulting;              /* the pending send is a fault message */
    int32_t  budget;                /* ticks left of its turn; below 1 it owes
                                       time it was served (sched.h) */
    uint32_t owes_nothing;          /* budget > 0, kept for the switch check */
    uint64_t ticks;                 /* ticks charged to it (KINFO_THREAD_TICKS) */
    uint64_t send_badge;            /* badge of the pending send */
    struct thread *qnext, *qprev;   /* ready queue or endpoint queue */
    struct endpoint *blocked_on;    /* endpoint whose queue holds us (ref) */
    struct thread *reply_to;        /* caller waiting for our reply */
    struct thread *replier;         /* whom we wait on in TS_BLOCKED_REPLY */
    struct reply_cap *saved_reply;  /* or the saved reply that will answer us */
    struct space *space;            /* ref */
    struct thread *space_next;      /* the space's list of live threads */
    struct thread *all_next, *all_prev;  /* every live thread */
    struct fault_info fault;
    uint32_t cpu;                   /* the CPU it runs on (sched_place, sched_pin) */
    bool pinned;                    /* by SYS_THREAD_PIN: no other CPU takes it (sched.c) */
    bool sitting_out;               /* ready, in its CPU's `paying` queue (sched.c) */
    uint32_t owed_on;               /* the CPU its last debt was run up on (sched.c) */
    uint64_t sat_out_at;            /* that CPU's tick count when it sat out */
};

struct account;
/* A new thread, TS_INACTIVE, paid for by account a, holding a reference
 * to its space (whose pager gets its faults). */
struct thread *thread_create(struct account *a, struct space *s, uint64_t entry,
                             uint64_t stack, unsigned priority, uint64_t arg);

/* Ends t: leaves every queue, wakes its partners with `status`
 * (IPC_EDEAD), leaves its space, drops its references. If t is current,
 * the caller must schedule() before returning to user mode. */
void thread_kill(struct thread *t, uint64_t status);

/* No handle names t any more: if it is not running (created and never
 * started, or stopped), nothing can ever run it again, so it dies. */
void thread_unnamed(struct thread *t);

void thread_start(struct thread *t);
/* Stops t (TS_INACTIVE); a blocked IPC is cancelled with IPC_ECANCELED. */
void thread_stop(struct thread *t);

/* Kills every thread of t's space, printing the diagnostics box for t's
 * fault with why, a one-line reason in words (the kernel's own, or the
 * text of a pager's FAULT_REASON_* code). */
void task_kill(struct thread *t, const char *why);

const char *thread_state_name(unsigned state);

/* Whether any thread is still alive; whether the root task has died. */
bool thread_any_alive(void);
extern bool root_died;

/* Prints every live thread and its state (deadlock reports). */
void thread_dump_all(void);

#endif
