/*
 * IPC fastpath: call and reply_recv between two threads when nothing
 * unusual is going on, with the fewest instructions we can manage. Every
 * check comes first, cheapest first, and any surprise bails out to the
 * slow path (kernel/ipc.c), which stays correct on its own. After the
 * "point of no return" nothing can fail.
 *
 * The cases taken here: a call on an endpoint with a receiver waiting
 * (and the same for a page fault sent to a waiting pager), and a
 * reply_recv that answers a call, or resumes a fault with at most a
 * one-page map item, and finds no sender waiting. In all of them the
 * partner runs next if nothing outranks it, without touching the ready
 * queues.
 *
 * This file is compiled four times: as itself, and as fastpath_traced.c,
 * which defines FASTPATH_TRACED and so names the functions *_traced and
 * turns FP_TRACE into trace events (kernel/trace.h); then both again with
 * FASTPATH_SMP (fastpath_smp*.c, the functions named *_smp*) for several
 * CPUs, where the partner must be a thread of this CPU and a replaced
 * entry (which other CPUs may cache) is the slow path's. The kernel calls
 * the copy that fits (fastpath_choose): off, tracing costs the fastpath no
 * instruction, and one CPU pays nothing for there being others.
 */
#include <ipc/fault.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <kernel/endpoint.h>
#include <kernel/fastpath.h>
#include <kernel/ipc.h>
#include <kernel/lib.h>
#include <kernel/mapdb.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/vmops.h>

#ifdef FASTPATH_SMP
#define FP_SMP_NAME(name) name##_smp
/* The partner runs on this CPU (else the slow path queues it on its own). */
#define FP_HERE(t) sched_here(t)
#define FP_SMP 1
#else
#define FP_SMP_NAME(name) name
#define FP_HERE(t) true              /* one CPU: every thread's */
#define FP_SMP 0
#endif
#define FP_CAT_(a, b) a##b
#define FP_CAT(a, b) FP_CAT_(a, b)
#ifdef FASTPATH_TRACED
#define FP(name) FP_CAT(FP_SMP_NAME(name), _traced)
#define FP_TRACE(event, t, flags, ...) trace_emit(TRACE_WHAT(event, flags), t, __VA_ARGS__)
#else
#define FP(name) FP_SMP_NAME(name)
#define FP_TRACE(event, t, flags, ...) ((void)0)
#endif

/* The endpoint behind handle h of the current space, if it carries all of
 * `rights` and is alive; NULL otherwise (the slow path says why). */
static inline struct endpoint *lookup_endpoint(uint64_t h, uint32_t rights, uint64_t *badge)
{
    if (unlikely(h - 1 >= HANDLE_MAX - 1))
        return NULL;
    struct handle *page = current->space->handles.pages[h / HANDLES_PER_PAGE];
    if (unlikely(!page))
        return NULL;
    struct handle *e = &page[h % HANDLES_PER_PAGE];
    struct object *o = e->obj;
    if (unlikely(!o || o->type != OBJ_ENDPOINT || (e->rights & rights) != rights || o->dead))
        return NULL;
    *badge = e->badge;
    return (struct endpoint *)o;
}

static inline void copy_message(struct trap_frame *to, const struct trap_frame *from)
{
    to->rsi = from->rsi;
    to->rdx = from->rdx;
    to->r10 = from->r10;
    to->r8 = from->r8;
    to->r9 = from->r9;
}

/* sched_switch_to without its zombie check: the fastpath has made sure
 * there is none. */
static inline void switch_fast(struct thread *to)
{
    FP_TRACE(TRACE_SWITCH, current, 0, to->id, to->space->id, 0, 0);
    current = to;
    to->state = TS_RUNNING;
    if (to->space != active_space)      /* threads always have a space */
        space_load(to->space);
    percpu_set_context(&to->ctx);
}

/* The receiver at the head of ep, if it can take a call and run now. (A
 * thread waiting to receive owes no reply: a receive gives up the debt
 * first, ipc.c's drop_debt, and reply_recv pays it.) */
static inline struct thread *ready_receiver(struct endpoint *ep)
{
    struct thread *dest = ep->receivers.head;
    if (unlikely(!dest || !FP_HERE(dest) || !sched_may_run(dest->priority) || zombie))
        return NULL;
    return dest;
}

/* Takes dest off ep's receive queue; it will run as the callee of self. */
static inline void take_receiver(struct endpoint *ep, struct thread *dest, struct thread *self)
{
    struct thread *next = dest->qnext;
    ep->receivers.head = next;
    if (next)
        next->qprev = NULL;
    else
        ep->receivers.tail = NULL;
    dest->qnext = NULL;
    dest->blocked_on = NULL;
    ep->obj.refs--;                 /* the receiver's; the caller's link keeps ep alive */
    self->state = TS_BLOCKED_REPLY;
    self->replier = dest;
    dest->reply_to = self;
}

/* A tag with any bit above TAG_MAP (a handle transfer, or bits a task may
 * not send, TAG_KERNEL among them): the slow path's. Bits 49-63 are in the
 * tag's top two bytes, so one 16-bit test decides. */
static inline bool tag_for_slowpath(const struct trap_frame *r)
{
    uint16_t top;
    __builtin_memcpy(&top, (const uint8_t *)&r->rsi + 6, sizeof(top));
    return top & (uint16_t)(~(TAG_LABEL_MASK | TAG_MAP) >> 48);
}
_Static_assert((~(TAG_LABEL_MASK | TAG_MAP) >> 48) == 0xfffe, "tag bits above TAG_MAP");

bool FP(fastpath_call)(struct trap_frame *r)
{
    if (unlikely(tag_for_slowpath(r)))
        return false;                   /* handle transfer, or a bad tag: slow path */
    uint64_t badge;
    struct endpoint *ep = lookup_endpoint(r->rdi, RIGHT_SEND, &badge);
    struct thread *dest = ep ? ready_receiver(ep) : NULL;
    if (unlikely(!dest))
        return false;

    /* POINT OF NO RETURN */
    struct thread *self = current;
    FP_TRACE(TRACE_CALL, self, 0, dest->id, r->rsi, badge, r->rdx);
    FP_TRACE(TRACE_RECV, dest, 0, self->id, r->rsi, badge, r->rdx);
    copy_message(&dest->ctx, r);
    dest->ctx.rdi = badge;
    dest->ctx.rax = IPC_OK;
    self->faulting = false;
    take_receiver(ep, dest, self);
    switch_fast(dest);
    return true;
}

bool FP(fastpath_fault)(struct thread *self)
{
    /* Traced here whichever path takes it: the slow path does not. */
    FP_TRACE(TRACE_FAULT, self, self->fault.vector, 0, self->fault.addr, self->fault.error,
             self->fault.ip);
    struct endpoint *ep = self->space->pager;
    struct thread *dest = ep && !ep->obj.dead ? ready_receiver(ep) : NULL;
    if (unlikely(!dest))
        return false;

    /* POINT OF NO RETURN */
    struct trap_frame *d = &dest->ctx;
    d->rsi = self->fault.label;
    d->rdx = self->fault.addr;
    d->r10 = self->fault.error;
    d->r8 = self->fault.ip;
    d->r9 = self->fault.vector;
    d->rdi = self->space->pager_badge;
    d->rax = IPC_OK;
    FP_TRACE(TRACE_RECV, dest, 0, self->id, d->rsi, d->rdi, d->rdx);
    self->faulting = true;
    take_receiver(ep, dest, self);
    switch_fast(dest);
    return true;
}

/* A fault reply the fastpath can apply: resume, optionally mapping one page
 * of the replier's space. The map item passes the checks every map does
 * (vmops.h); then the fastpath wants the destination's table to exist and
 * either a free node in its space's stock or a childless derived mapping
 * to replace, whose node the new one reuses (anything else is the slow
 * path's). Returns the source and destination entries (*src_out NULL: no
 * map item), or false to leave the reply to the slow path. */
static inline bool fault_reply_ok(const struct trap_frame *r, struct thread *self,
                                  struct thread *caller, uint64_t **src_out, uint64_t **dst_out)
{
    *src_out = NULL;
    if (unlikely(tag_label(r->rsi) != FAULT_RESUME))
        return false;
    if (!(r->rsi & TAG_MAP))
        return true;
    uint64_t src = r->rdx, dst = r->r10;
    uint32_t rights = MAP_ITEM_RIGHTS_FIELD(r->r8);
    if (unlikely(MAP_ITEM_PAGES(r->r8) != 1 ||
                 vm_map_args_check(self->space, caller->space, src, dst, 1, rights)))
        return false;
    uint64_t *from = space_pte(self->space, src);
    uint64_t *to = space_pte(caller->space, dst);
    if (unlikely(vm_map_source_check(from, rights) || !to))
        return false;
    if (*to & PTE_P) {
        struct mapping *old = *mapdb_slot(to);
        if (unlikely(FP_SMP || !old || old->child))
            return false;             /* (other CPUs may cache it: shootdown) */
    } else if (unlikely(!caller->space->nodes->free_count)) {
        return false;
    }
    *src_out = from;
    *dst_out = to;
    return true;
}

/* Current waits on ep for its next message; the caller runs. */
static inline void wait_and_switch(struct thread *self, struct endpoint *ep,
                                   struct thread *caller)
{
    self->state = TS_BLOCKED_RECV;
    self->blocked_on = ep;
    ep->obj.refs++;
    TQUEUE_PUSH_INLINE(&ep->receivers, self);
    switch_fast(caller);
}

/* reply_recv answering a fault: resume the faulter, maybe map one page. */
static bool fault_reply_recv(struct trap_frame *r, struct thread *self, struct thread *caller)
{
    uint64_t badge, *src, *dst;
    struct endpoint *ep = lookup_endpoint(r->rdi, RIGHT_RECV, &badge);
    if (unlikely(!ep || ipc_pending(ep) || !FP_HERE(caller) ||
                 !sched_may_switch_to_here(caller) || zombie ||
                 !fault_reply_ok(r, self, caller, &src, &dst)))
        return false;

    /* POINT OF NO RETURN */
    FP_TRACE(TRACE_REPLY, self, 0, caller->id, r->rsi, r->rdx, r->r10);
    self->reply_to = NULL;
    caller->replier = NULL;
    caller->faulting = false;           /* the instruction runs again */
    if (src) {
        FP_TRACE(TRACE_MAP, self, MAP_ITEM_RIGHTS(r->r8), 0, r->rdx, r->r10,
                 1 | caller->space->id << 32);
        struct mapping *node;
        if (*dst & PTE_P) {             /* replaced: a leaf, see fault_reply_ok */
            node = *mapdb_slot(dst);    /* the new mapping reuses its node: a */
            mapdb_unlink(node);         /* space's nodes all come from its stock */
            *dst = 0;
            if (caller->space == active_space)
                __asm__ volatile("invlpg (%0)" : : "r"(r->r10) : "memory");
        } else {
            node = stock_take(caller->space->nodes);
        }
        mapdb_derive_node(node, src, &caller->space->mappings, dst, MAP_ITEM_RIGHTS(r->r8));
    }
    wait_and_switch(self, ep, caller);
    return true;
}

bool FP(fastpath_reply_recv)(struct trap_frame *r)
{
    struct thread *self = current, *caller = self->reply_to;
    if (unlikely(!caller))
        return false;
    if (unlikely(caller->faulting))
        return fault_reply_recv(r, self, caller);
    uint64_t badge;
    struct endpoint *ep = lookup_endpoint(r->rdi, RIGHT_RECV, &badge);
    if (unlikely(!ep || ipc_pending(ep) || !FP_HERE(caller) ||
                 !sched_may_switch_to_here(caller) || zombie))
        return false;

    /* POINT OF NO RETURN */
    FP_TRACE(TRACE_REPLY, self, 0, caller->id, r->rsi, r->rdx, r->r10);
    self->reply_to = NULL;
    caller->replier = NULL;
    copy_message(&caller->ctx, r);
    caller->ctx.rdi = 0;
    caller->ctx.rax = IPC_OK;
    wait_and_switch(self, ep, caller);
    return true;
}
