/*
 * a_lifetimes: the lifetime classes of issue 12 replayed by an ordinary
 * process under the default pager (ktest's tests_lifetimes.c has the root
 * task's versions). A process may make spaces, endpoints and threads, map
 * its own pages into the spaces it made and page them, so it can build
 * every one of these itself:
 *
 *   life_saved_reply_kills_caller  a space S of ours is its own pager: its
 *                        server thread takes the fault of its other thread,
 *                        saves the reply and closes it, which kills the
 *                        faulter's task, S, the server's own; the close must
 *                        not return to the dead server
 *   life_recv_owing_fault  the server receives again (on another endpoint)
 *                        while it owes that fault's reply, and dies of it;
 *                        the next caller of that endpoint waits for a
 *                        receiver (we serve it, and then another gets
 *                        IPC_EDEAD when the endpoint goes), it is never
 *                        linked to the dead server
 *   life_teardown_chain  CHAIN_LINKS spaces, each holding the only handle
 *                        to the next, dropped at the head (closed, and once
 *                        more destroyed): no crash, every object back
 *   life_owned_objects   a forked child makes a space with a spinning, a
 *                        stopped, a receiving and three unstarted threads,
 *                        two endpoints, a space that holds the only handle
 *                        to itself and an unstarted thread in its own space,
 *                        and exits: every one of them goes with it
 *   life_death_notice    forked children that end without the pager's exit:
 *                        SYS_EXIT directly, a fault nobody can resolve (in
 *                        the only thread; in a second one while the first
 *                        blocks forever), the last thread destroying itself;
 *                        wait_pid (with a deadline) returns each one's status
 *   life_last_page       the last user page (USER_MAP_TOP) of a space we
 *                        made can be neither mapped, unmapped nor protected,
 *                        nor given by a fault reply's map item; a thread may
 *                        be made there (the kernel checks entries against the
 *                        user half's end only), but it never runs there
 *   life_notice_how      a death notice that waited in its pager's queue says
 *                        how the task ended: SYS_EXIT(42) is "exited, 42",
 *                        a thread destroyed by another task "killed"
 *   life_blocked_child   a child blocks forever while a second thread of ours
 *                        waits for it: a canary works meanwhile, then
 *                        kill_child ends the child and the waiter gets 0x80
 *   life_no_leak         the second run gives everything back exactly
 *
 * Each attack is followed, once its attacker is gone, by a check that
 * kernel objects and mapping nodes (and for children the pager's frames
 * and processes) are back exactly, and by a canary process. The attack
 * runs twice (attack_twice); exit status 0 only if everything passed.
 *
 * Every kill made on purpose faults at LIFE_FAULT_VA, so that the case
 * file can tell these KILLED lines from any other.
 */
#include "attack.h"

#define LIFE_FAULT_VA 0x00006c1fe000deadul  /* mapped nowhere (isolation_tests.sh knows it) */
#define SECOND_STACK  (STACK_VA - 2 * PAGE)  /* more stack pages in a vm, gaps between */
#define THIRD_STACK   (STACK_VA - 4 * PAGE)
#define TOP(page)     ((page) + PAGE - 8)    /* a stack pointer at a page's top */
#define ARGS_TOP      (STACK_VA + ARGS_OFF - 8)   /* the one below a vm's arguments */
#define THREAD_STACK_PAGES 4
#define WAIT_TICKS    300                    /* 3 s: what takes longer is stuck for good */
#define RETURNED      0xbadul                /* a killed thread that ran on wrote this */
#define MAGIC         0x11fe11fe11fe11feul
/* A recursive teardown overflows the 16 KiB kernel stack within a few
 * hundred links; 500 take about 1,100 of our account's 1,572 frames. */
#define CHAIN_LINKS   500
#define OWNED_OBJECTS 11                     /* what maker() makes */
#define LBL_CALL      0x7e20ull

/* ---- shared pieces -------------------------------------------------------- */

/* Yields until thread t is in THREAD_* state `state` (~0: dead); 0 if it
 * is not there within WAIT_TICKS. */
static int wait_state(handle_t t, uint64_t state)
{
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (;;) {
        uint64_t status, s = sys_thread_state(t, &status);
        if (state == ~0ull ? status == IPC_EDEAD : !status && s == state)
            return 1;
        if (sys_kernel_info(KINFO_TICKS) - t0 > WAIT_TICKS)
            return 0;
        sys_yield();
    }
}

/* Yields until *n reaches at least `least`; 0 if it does not in time. */
static int wait_count(volatile uint64_t *n, uint64_t least)
{
    for (uint64_t t0 = sys_kernel_info(KINFO_TICKS); *n < least; sys_yield())
        if (sys_kernel_info(KINFO_TICKS) - t0 > WAIT_TICKS)
            return 0;
    return 1;
}

/* The state of t for a message: THREAD_*, or ~0 when dead. */
static uint64_t state_of(handle_t t)
{
    uint64_t status;
    return sys_thread_state(t, &status);
}

/* A thread in space s running fn(arg) with its stack pointer at stack,
 * started or not. */
static uint64_t thread_at(handle_t s, void (*fn)(void *), uint64_t stack, uint64_t arg,
                          unsigned prio, int start, handle_t *t)
{
    uint64_t err = sys_thread_create(s, (uint64_t)fn, stack, prio, arg, t);
    return err || !start ? err : sys_thread_start(*t);
}

/* A fresh page of ours mapped read+write at va in v's space: its address
 * with us, or 0. */
static uint64_t vm_page(struct vm *v, uint64_t va)
{
    uint64_t p = page_new(0);
    if (p && sys_map(v->space, p, va, 1, PAGE_READ | PAGE_WRITE)) {
        munmap(p, PAGE);
        return 0;
    }
    return p;
}

/* Kernel objects and mapping nodes exactly as in *a, and with `pager`
 * the pager's free frames and processes too; then a canary. */
static int after_attack(const char *name, const struct counts *a, int pager)
{
    struct counts b;
    counts_take(&b);
#define D(f) ((int64_t)(b.f - a->f))
    if (D(objects) || D(mappings) || (pager && (D(frames_free) || D(processes))))
        return fail(name, "afterwards: kernel objects %ld, mappings %ld, pager frames free "
                    "%ld, processes %ld", D(objects), D(mappings), D(frames_free),
                    D(processes));
#undef D
    return canary_process(name) ? 1 : pass(name);
}

/* A second thread of ours that waits for a child (our process may have
 * several waits at once), so that we can wait with a deadline, or do
 * something else meanwhile. Its stack is ours, touched before the attack. */
static struct {
    volatile int64_t pid, got;
    volatile int status;
    volatile uint64_t calling;
} waiter_box;

static char waiter_stack[THREAD_STACK_PAGES * PAGE] __attribute__((aligned(4096)));

static void __attribute__((noreturn)) waiter(void *arg)
{
    (void)arg;
    int status = -1;
    waiter_box.calling = 1;
    waiter_box.got = wait_pid(waiter_box.pid, &status);
    waiter_box.status = status;
    sys_exit(0);
}

/* Starts the waiter for child pid. */
static uint64_t waiter_start(int64_t pid, handle_t *t)
{
    waiter_box.pid = pid;
    waiter_box.got = 0;
    waiter_box.status = -1;
    waiter_box.calling = 0;
    *t = 0;
    return thread_at(SELF_SPACE_HANDLE, waiter, (uint64_t)waiter_stack + sizeof(waiter_stack) - 8,
                     0, PRIO, 1, t);
}

/* Ends the waiter: it is dead (answered, or destroyed), its handle closed. */
static void waiter_end(handle_t t)
{
    if (!t)
        return;
    if (!wait_state(t, ~0ull))
        sys_thread_destroy(t);             /* (never answered: a failure) */
    sys_handle_close(t);
}

/* wait_pid with a deadline: pid, or -1 when no answer came within
 * WAIT_TICKS (the child is then killed: nothing stays behind). */
static int64_t wait_bounded(int64_t pid, int *status)
{
    handle_t t;
    int64_t got = -1;
    if (!waiter_start(pid, &t) && wait_state(t, ~0ull))
        got = waiter_box.got;
    else
        kill_child(pid);                   /* (which answers the waiter, if it waits) */
    waiter_end(t);
    *status = waiter_box.status;
    return got;
}

/* ---- a space that is its own pager ---------------------------------------- */

struct own_args {
    handle_t ep, next;                     /* in S, to receive on: S's pager endpoint, another */
    volatile uint64_t server_ran_on, faulter_ran_on;
};

struct own_task {
    struct vm v;                           /* v.thread is the server */
    handle_t ep, next, faulter;            /* (ours) */
    uint64_t stack2;                       /* our page that is S's SECOND_STACK */
};

/* Runs in S: touches the address nobody maps, and must never run on. */
static void __attribute__((noreturn)) faulter(void *arg)
{
    struct own_args *a = arg;
    (void)*(volatile uint64_t *)LIFE_FAULT_VA;
    a->faulter_ran_on = RETURNED;
    sys_exit(0);
}

/* Runs in S as its pager: takes the fault, saves the reply and closes it,
 * which kills S (the faulter's task, so ours). */
static void __attribute__((noreturn)) close_saved_reply(void *arg)
{
    struct own_args *a = arg;
    struct ipc_msg m = {0};
    handle_t reply;
    a->server_ran_on = 1;                  /* (1: receiving or saving failed) */
    if (!sys_recv(a->ep, &m).status && !sys_reply_save(&reply)) {
        sys_handle_close(reply);
        a->server_ran_on = RETURNED;       /* only a kernel that returns to the dead gets here */
    }
    for (;;)
        sys_yield();
}

/* Runs in S as its pager: takes the fault, then receives again owing it,
 * on the other endpoint (on S's pager endpoint, S's death notice would
 * be there for a dead receiver to take, and hide it). */
static void __attribute__((noreturn)) recv_owing(void *arg)
{
    struct own_args *a = arg;
    struct ipc_msg m = {0};
    a->server_ran_on = 1;
    if (!sys_recv(a->ep, &m).status) {
        sys_recv(a->next, &m);
        a->server_ran_on = RETURNED;
    }
    for (;;)
        sys_yield();
}

/* Builds t: S with its pager endpoint served by `server` in S, which waits
 * in its receive before the faulter starts. 0, or a failure reported. */
static int own_task_start(const char *name, struct own_task *t, void (*server)(void *))
{
    memset(t, 0, sizeof(*t));
    int e = 0;
    if (sys_endpoint_create(&t->ep) || sys_endpoint_create(&t->next) ||
        (e = vm_build(&t->v, t->ep)))
        return fail(name, "building S failed (step %d)", -e);
    struct own_args *a = vm_args(&t->v);
    if (sys_handle_grant(t->v.space, t->ep, RIGHT_RECV, 0, &a->ep) ||
        sys_handle_grant(t->v.space, t->next, RIGHT_RECV, 0, &a->next))
        return fail(name, "granting S its endpoints failed");
    if (!(t->stack2 = vm_page(&t->v, SECOND_STACK)))
        return fail(name, "mapping S's second stack failed");
    if (vm_thread(&t->v, server) || !wait_state(t->v.thread, THREAD_BLOCKED_RECV))
        return fail(name, "S's server did not get to its receive (state %lu)",
                    state_of(t->v.thread));
    /* Start on a fresh tick: the kill prints its box with interrupts off,
     * and a tick pending at the end would be taken at the return to the
     * server, switching away from a kernel's wrong return before it shows. */
    for (uint64_t t0 = sys_kernel_info(KINFO_TICKS); sys_kernel_info(KINFO_TICKS) == t0;)
        ;
    if (thread_at(t->v.space, faulter, TOP(SECOND_STACK), STACK_VA + ARGS_OFF, PRIO, 1,
                  &t->faulter))
        return fail(name, "starting S's faulter failed");
    return 0;
}

/* Both of S's threads must die, neither running on. */
static int own_task_died(const char *name, struct own_task *t)
{
    struct own_args *a = vm_args(&t->v);
    int faulter_dead = wait_state(t->faulter, ~0ull), server_dead = wait_state(t->v.thread, ~0ull);
    if (a->server_ran_on == RETURNED || a->faulter_ran_on == RETURNED)
        return fail(name, "a thread of S ran on after the call that kills its task (server "
                    "0x%lx, faulter 0x%lx; 0x%lx: it did)", a->server_ran_on, a->faulter_ran_on,
                    RETURNED);
    if (!faulter_dead || !server_dead)
        return fail(name, "S's faulter is %s (state %lu), its server %s (state %lu, step %lu)",
                    faulter_dead ? "dead" : "alive", state_of(t->faulter),
                    server_dead ? "dead" : "alive", state_of(t->v.thread), a->server_ran_on);
    return 0;
}

static void own_task_destroy(struct own_task *t)
{
    vm_destroy(&t->v);
    if (t->faulter)
        sys_handle_close(t->faulter);
    if (t->stack2)
        munmap(t->stack2, PAGE);
    endpoint_drop(t->ep);
    endpoint_drop(t->next);
    memset(t, 0, sizeof(*t));
}

/* ---- life_saved_reply_kills_caller ------------------------------------------ */

static int life_saved_reply_kills_caller(void)
{
    const char *name = "life_saved_reply_kills_caller";
    struct counts before;
    struct own_task t;
    counts_take(&before);
    int r = own_task_start(name, &t, close_saved_reply);
    if (!r)
        r = own_task_died(name, &t);
    own_task_destroy(&t);
    return r ? 1 : after_attack(name, &before, 0);
}

/* ---- life_recv_owing_fault ------------------------------------------------ */

struct caller_args {
    handle_t ep;
    volatile uint64_t status, word;
};

/* Runs in a space X of ours: calls the endpoint, notes the answer. */
static void __attribute__((noreturn)) caller(void *arg)
{
    struct caller_args *a = arg;
    struct ipc_msg m = { .tag = LBL_CALL };
    a->status = sys_call(a->ep, &m).status;
    a->word = m.w[0];
    sys_exit(0);
}

/* A caller in x calls ep_x (its handle there to the endpoint the dead
 * server last received on), which has no receiver: it must wait for one
 * (THREAD_BLOCKED_SEND), not for a reply (linked to someone). */
static int caller_queued(const char *name, struct vm *x, handle_t ep_x)
{
    struct caller_args *a = vm_args(x);
    *a = (struct caller_args){ .ep = ep_x, .status = ~0ull };
    if (vm_thread(x, caller))
        return fail(name, "starting the next caller failed");
    if (!wait_state(x->thread, THREAD_BLOCKED_SEND)) {
        uint64_t s = state_of(x->thread);
        return fail(name, "the next caller is in state %lu, not waiting for a receiver%s", s,
                    s == THREAD_BLOCKED_REPLY ? " (linked to the dead server)" : "");
    }
    return 0;
}

/* The next caller is served by the next receiver: us. */
static int next_caller_served(const char *name, struct vm *x, handle_t ep_x, handle_t ep)
{
    if (caller_queued(name, x, ep_x))
        return 1;
    struct ipc_msg m;
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != LBL_CALL)
        return fail(name, "expected the next call: status %lu, label 0x%lx", st.status,
                    tag_label(m.tag));
    m = (struct ipc_msg){ .w = { MAGIC } };
    sys_reply(&m);
    struct caller_args *a = vm_args(x);
    if (!wait_state(x->thread, ~0ull) || a->status || a->word != MAGIC)
        return fail(name, "the next caller got status %lu, word 0x%lx (our reply: 0x%lx)",
                    a->status, a->word, MAGIC);
    return 0;
}

/* And one after it gets IPC_EDEAD when the endpoint goes. */
static int next_caller_dead(const char *name, struct vm *x, handle_t ep_x, handle_t *ep)
{
    if (caller_queued(name, x, ep_x))
        return 1;
    endpoint_drop(*ep);
    *ep = 0;
    struct caller_args *a = vm_args(x);
    if (!wait_state(x->thread, ~0ull) || a->status != IPC_EDEAD)
        return fail(name, "a caller of the destroyed endpoint got status %lu (IPC_EDEAD "
                    "wanted), state %lu", a->status, state_of(x->thread));
    return 0;
}

static int life_recv_owing_fault(void)
{
    const char *name = "life_recv_owing_fault";
    struct counts before;
    struct own_task t;
    struct vm x = {0};
    handle_t next_x = 0;
    int e = 0;
    counts_take(&before);
    int r = own_task_start(name, &t, recv_owing);
    if (!r)
        r = own_task_died(name, &t);
    if (!r && ((e = vm_build(&x, t.ep)) || sys_handle_grant(x.space, t.next, RIGHT_SEND, 0,
                                                            &next_x)))
        r = fail(name, "building the caller's space failed (step %d)", -e);
    if (!r)
        r = next_caller_served(name, &x, next_x, t.next);
    if (!r)
        r = next_caller_dead(name, &x, next_x, &t.next);
    vm_destroy(&x);
    own_task_destroy(&t);
    return r ? 1 : after_attack(name, &before, 0);
}

/* ---- life_teardown_chain ---------------------------------------------------- */

/* Spaces S1 -> S2 -> ... each holding the only handle to the next: S1,
 * our only handle, or 0 with a failure reported (and nothing left). */
static handle_t chain_build(const char *name, unsigned links)
{
    handle_t head, prev;
    uint64_t err = sys_space_create(&head);
    unsigned n = 1;
    for (prev = head; !err && n < links; n++) {
        handle_t next, in_prev;
        if ((err = sys_space_create(&next)))
            break;
        err = sys_handle_grant(prev, next, RIGHTS_ALL, 0, &in_prev);
        if (prev != head)
            sys_handle_close(prev);
        prev = next;
    }
    if (prev != head)
        sys_handle_close(prev);
    if (err) {
        fail(name, "link %u of %u: status %lu (our kernel memory: %lu of %lu frames)", n, links,
             err, sys_kernel_info(KINFO_KMEM_USED), sys_kernel_info(KINFO_KMEM_LIMIT));
        if (head)
            sys_handle_close(head);
        return 0;
    }
    return head;
}

/* One chain, dropped at the head by close (destroy: destroyed first). */
static int chain_drop(const char *name, int destroy, uint64_t *peak)
{
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    handle_t head = chain_build(name, CHAIN_LINKS);
    if (!head)
        return 1;
    uint64_t alive = sys_kernel_info(KINFO_OBJECTS) - objects;
    *peak = sys_kernel_info(KINFO_KMEM_USED);
    if (destroy)
        sys_space_destroy(head);
    sys_handle_close(head);                /* the whole chain goes, one link after the other */
    uint64_t left = sys_kernel_info(KINFO_OBJECTS) - objects;
    if (alive != CHAIN_LINKS || left)
        return fail(name, "%s: %lu objects while built (%u spaces), %lu left after",
                    destroy ? "destroyed" : "closed", alive, CHAIN_LINKS, left);
    return 0;
}

static int life_teardown_chain(void)
{
    const char *name = "life_teardown_chain";
    struct counts before;
    uint64_t peak = 0, limit = sys_kernel_info(KINFO_KMEM_LIMIT);
    counts_take(&before);
    if (chain_drop(name, 0, &peak) || chain_drop(name, 1, &peak))
        return 1;
    if (round_no == 1)
        printf("a_lifetimes: %s: %u spaces held by one handle, dropped at the head twice "
               "(our kernel memory at the peak: %lu of %lu frames)\n", name, CHAIN_LINKS, peak,
               limit);
    return after_attack(name, &before, 0);
}

/* ---- life_owned_objects ------------------------------------------------------ */

struct maker_args {
    handle_t ep2;                          /* in S: an endpoint nobody sends to */
    volatile uint64_t spins, stopped_spins, unstarted_ran;
};

#define MAKER_ARG(field) (STACK_VA + ARGS_OFF + __builtin_offsetof(struct maker_args, field))

/* Run in S (arg: a counter there), as long as they live. */
static void __attribute__((noreturn)) spin(void *arg)
{
    for (volatile uint64_t *n = arg;; sys_yield())
        ++*n;
}

/* Runs in S: waits for a message that never comes. */
static void __attribute__((noreturn)) receiver(void *arg)
{
    struct ipc_msg m;
    sys_recv(((struct maker_args *)arg)->ep2, &m);
    sys_exit(0);
}

/* In S: a thread spinning, one stopped after it spun, one blocked in a
 * receive, three never started. 0, or the step that failed. */
static int make_threads(struct vm *v, struct maker_args *a)
{
    handle_t t;
    if (thread_at(v->space, spin, ARGS_TOP, MAKER_ARG(spins), PRIO, 1, &t))
        return 20;
    if (thread_at(v->space, spin, TOP(SECOND_STACK), MAKER_ARG(stopped_spins), PRIO, 1, &t) ||
        !wait_count(&a->stopped_spins, 1) || sys_thread_stop(t))
        return 21;
    uint64_t frozen = a->stopped_spins;
    if (thread_at(v->space, receiver, TOP(THIRD_STACK), STACK_VA + ARGS_OFF, PRIO, 1, &t) ||
        !wait_state(t, THREAD_BLOCKED_RECV))
        return 22;
    for (int i = 0; i < 3; i++)            /* named by our handles, so they stay */
        if (thread_at(v->space, spin, TOP(THIRD_STACK), MAKER_ARG(unstarted_ran), PRIO, 0, &t))
            return 23;
    if (!wait_count(&a->spins, 3))
        return 24;
    if (a->stopped_spins != frozen || a->unstarted_ran)
        return 25;
    return 0;
}

/* The forked child: S (a vm of its own) with make_threads' threads, two
 * endpoints, a space that holds the only handle to itself, an unstarted
 * thread in its own space; then exit without cleaning up. Its status: 0
 * when all OWNED_OBJECTS exist, else the step that failed. */
static void __attribute__((noreturn)) maker(void)
{
    struct vm v;
    handle_t ep, ep2, s3, self3, t;
    touch_image();
    for (int i = 0; i < 10; i++)
        sys_yield();                       /* our parent's wait (a saved reply) is in */
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    if (sys_endpoint_create(&ep) || vm_build(&v, ep) || sys_endpoint_create(&ep2))
        exit(10);
    struct maker_args *a = vm_args(&v);
    if (sys_handle_grant(v.space, ep2, RIGHT_RECV, 0, &a->ep2) ||
        !vm_page(&v, SECOND_STACK) || !vm_page(&v, THIRD_STACK))
        exit(11);
    int step = make_threads(&v, a);
    if (step)
        exit(step);
    if (sys_space_create(&s3) || sys_handle_grant(s3, s3, RIGHT_MAP, 0, &self3) ||
        sys_handle_close(s3))
        exit(12);
    if (thread_at(SELF_SPACE_HANDLE, spin, ARGS_TOP, 0, PRIO, 0, &t))
        exit(13);
    uint64_t made = sys_kernel_info(KINFO_OBJECTS) - objects;
    if (made != OWNED_OBJECTS)
        exit(14);
    if (round_no == 1)
        printf("a_lifetimes: life_owned_objects: the child made %lu kernel objects, its "
               "spinner counts %lu; it exits\n", made, a->spins);
    exit(0);
}

static int life_owned_objects(void)
{
    const char *name = "life_owned_objects";
    struct counts before;
    counts_take(&before);
    int64_t pid = fork();
    if (pid == 0)
        maker();
    int status = -1;
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return fail(name, "fork (%ld) or its wait failed", pid);
    if (status)
        return fail(name, "the child failed at step %d", status);
    return after_attack(name, &before, 1);    /* everything it made went with it */
}

/* ---- life_death_notice ------------------------------------------------------- */

enum { D_EXIT, D_FAULT, D_FAULT_SECOND, D_DESTROY_LAST, D_COUNT };

static const int death_status[D_COUNT] = {
    7, PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS),
    PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS), PG_STATUS_KILLED(FAULT_REASON_NONE),
};
static const char *const death_how[D_COUNT] = {
    "SYS_EXIT directly", "a fault nobody resolves", "a fault while the other thread blocks",
    "the last thread destroying itself",
};

static handle_t second_thread;              /* in a dying child: its second thread */
static volatile uint64_t first_exiting;     /* ... and its first is about to SYS_EXIT */

static void __attribute__((noreturn)) fault_now(void *arg)
{
    (void)arg;
    (void)*(volatile uint64_t *)LIFE_FAULT_VA;
    sys_exit(98);
}

/* Once the first thread is gone (it exits at its next turn: a few of
 * ours are enough), destroys itself, the last thread. */
static void __attribute__((noreturn)) destroy_self(void *arg)
{
    (void)arg;
    while (!first_exiting)
        sys_yield();
    for (int i = 0; i < 10; i++)
        sys_yield();
    sys_thread_destroy(second_thread);
    sys_exit(99);                          /* only if the destroy returned to us */
}

/* A child ending the way `how` says, never through the pager's exit. */
static void __attribute__((noreturn)) dying_child(int how)
{
    if (how == D_EXIT)
        sys_exit(7);
    if (how == D_FAULT)
        fault_now(0);
    int64_t stack = mmap(0, THREAD_STACK_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    int faults = how == D_FAULT_SECOND;
    if (stack < 0 ||
        thread_at(SELF_SPACE_HANDLE, faults ? fault_now : destroy_self,
                  (uint64_t)stack + THREAD_STACK_PAGES * PAGE - 8, 0, PRIO, 1, &second_thread))
        sys_exit(100);
    if (faults)
        utest_block();                     /* forever: the other's fault must end us too */
    first_exiting = 1;
    sys_exit(5);                           /* not the last thread: not the task's status */
}

static int life_death_notice(void)
{
    const char *name = "life_death_notice";
    struct counts before;
    int got[D_COUNT];
    counts_take(&before);
    for (int how = 0; how < D_COUNT; how++) {
        int64_t pid = fork();
        if (pid == 0)
            dying_child(how);
        got[how] = -1;
        if (pid < 0)
            return fail(name, "%s: fork failed with %ld", death_how[how], pid);
        if (wait_bounded(pid, &got[how]) != pid)
            return fail(name, "%s: wait_pid did not return (status 0x%x): the pager never "
                        "heard of the death", death_how[how], got[how]);
        if (got[how] != death_status[how])
            return fail(name, "%s: wait_pid gave status 0x%x, 0x%x wanted", death_how[how],
                        got[how], death_status[how]);
    }
    if (round_no == 1)
        printf("a_lifetimes: %s: wait_pid gave 0x%x (SYS_EXIT(7)), 0x%x and 0x%x (faults), "
               "0x%x (last thread destroyed)\n", name, got[0], got[1], got[2], got[3]);
    return after_attack(name, &before, 1);
}

/* ---- life_last_page ---------------------------------------------------------- */

/* got must be want; 0, or a failure reported. */
static int expect(const char *name, const char *what, uint64_t got, uint64_t want)
{
    return got == want ? 0 : fail(name, "%s: status %lu, %lu wanted", what, got, want);
}

/* The calls that touch the last page refuse, the page below it works
 * (src: two pages of ours, read+write). */
static int last_page_calls(const char *name, handle_t s, uint64_t src)
{
    handle_t t;
    uint32_t rights = 0xff;
    uint64_t text = (uint64_t)__image_start;
    if (expect(name, "map our text at the last page",
               sys_map(s, text, USER_MAP_TOP, 1, PAGE_READ | PAGE_EXEC), IPC_EADDR) ||
        expect(name, "map a data page there", sys_map(s, src, USER_MAP_TOP, 1, PAGE_READ),
               IPC_EADDR) ||
        expect(name, "map two pages ending in it",
               sys_map(s, src, USER_MAP_TOP - PAGE, 2, PAGE_READ), IPC_EADDR) ||
        expect(name, "map 1024 pages up to it",
               sys_map(s, src, USER_MAP_TOP - (MAP_MAX_PAGES - 1) * PAGE, MAP_MAX_PAGES,
                       PAGE_READ), IPC_EADDR) ||
        expect(name, "map from our own last page",
               sys_map(s, USER_MAP_TOP, 1ull << 32, 1, PAGE_READ), IPC_EADDR) ||
        expect(name, "unmap it", sys_unmap(s, USER_MAP_TOP, 1), IPC_EADDR) ||
        expect(name, "protect it", sys_protect(s, USER_MAP_TOP, 1, PAGE_READ), IPC_EADDR) ||
        expect(name, "a thread entry at the user half's end",
               sys_thread_create(s, USER_MAP_TOP + PAGE, ARGS_TOP, PRIO, 0, &t), IPC_EADDR))
        return 1;
    if (expect(name, "map the page below it", sys_map(s, src, USER_MAP_TOP - PAGE, 1, PAGE_READ),
               IPC_OK) ||
        expect(name, "its rights", rw_rights(s, USER_MAP_TOP - PAGE), PAGE_READ) ||
        expect(name, "unmap the page below it", sys_unmap(s, USER_MAP_TOP - PAGE, 1), IPC_OK) ||
        expect(name, "rights query at the last page", sys_map_rights(s, USER_MAP_TOP, &rights),
               IPC_OK) ||
        expect(name, "rights at the last page", rights, 0))
        return 1;
    return 0;
}

/* A thread started at the last page (entry: the page's last two bytes,
 * where a syscall would return to 0x800000000000) faults at its first
 * fetch; the map item that would give it the page is refused by reply and
 * by reply_recv, and the thread stays on its fault. */
static int last_page_thread(const char *name, struct vm *v, handle_t ep, handle_t t,
                            uint64_t entry)
{
    struct ipc_msg m;
    if (sys_thread_start(t))
        return fail(name, "starting the thread failed");
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || m.tag != (FAULT_PAGE | TAG_KERNEL) || m.w[0] != entry || m.w[2] != entry)
        return fail(name, "expected its fault at 0x%lx: status %lu, tag 0x%lx, addr 0x%lx, rip "
                    "0x%lx", entry, st.status, m.tag, m.w[0], m.w[2]);
    struct ipc_msg map = { .tag = FAULT_RESUME | TAG_MAP,
                           .w = { (uint64_t)__image_start, USER_MAP_TOP,
                                  MAP_ITEM(1, PAGE_READ | PAGE_EXEC), 0 } };
    m = map;
    uint64_t by_reply = sys_reply(&m);
    m = map;
    uint64_t by_reply_recv = sys_reply_recv(ep, &m).status;
    uint32_t rights = 0xff;
    sys_map_rights(v->space, USER_MAP_TOP, &rights);
    if (by_reply != IPC_EADDR || by_reply_recv != IPC_EADDR || rights)
        return fail(name, "the map item for the last page: reply %lu, reply_recv %lu (%u "
                    "wanted), rights there %u", by_reply, by_reply_recv, IPC_EADDR, rights);
    if (state_of(t) != THREAD_BLOCKED_REPLY)
        return fail(name, "the thread is in state %lu, not waiting on its fault", state_of(t));
    return 0;                              /* it dies with the space, still waiting */
}

static int life_last_page(void)
{
    const char *name = "life_last_page";
    struct counts before;
    struct vm v = {0};
    handle_t ep = 0, t = 0;
    int r = 1, e = 0;
    int64_t src = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
    if (src < 0)
        return fail(name, "mmap failed");
    *(volatile uint64_t *)src = *(volatile uint64_t *)(src + PAGE) = MAGIC;
    counts_take(&before);
    if (sys_endpoint_create(&ep) || (e = vm_build(&v, ep))) {
        fail(name, "building S failed (step %d)", -e);
        goto out;
    }
    if (last_page_calls(name, v.space, (uint64_t)src))
        goto out;
    uint64_t entry = USER_MAP_TOP + PAGE - 2;
    uint64_t err = sys_thread_create(v.space, entry, ARGS_TOP, PRIO, 0, &t);
    if (err && err != IPC_EADDR && err != IPC_EINVAL) {
        fail(name, "a thread at 0x%lx: status %lu", entry, err);
        goto out;
    }
    if (!err && last_page_thread(name, &v, ep, t, entry))
        goto out;
    if (round_no == 1)
        printf("a_lifetimes: %s: a thread at 0x%lx %s\n", name, entry,
               err ? "is refused" : "can be made, but its fault there cannot be resolved");
    r = 0;
out:
    vm_destroy(&v);                        /* its thread dies, still on its fault */
    if (t)
        sys_handle_close(t);
    endpoint_drop(ep);
    if (!r)
        r = after_attack(name, &before, 0);
    munmap((uint64_t)src, 2 * PAGE);
    return r;
}

/* ---- life_blocked_child ------------------------------------------------------ */

/* Yields until kernel objects and mappings stay the same over 20 yields
 * and 10 ticks in a row (a child we cannot watch has got where it blocks:
 * its endpoint made, its pages faulted in; on another CPU it may take
 * longer than our 20 turns), or WAIT_TICKS pass. */
static void settle(void)
{
    uint64_t t0 = sys_kernel_info(KINFO_TICKS), since = t0;
    uint64_t objects = ~0ull, mappings = ~0ull;
    for (int still = 0; (still < 20 || sys_kernel_info(KINFO_TICKS) - since < 10) &&
                        sys_kernel_info(KINFO_TICKS) - t0 < WAIT_TICKS;) {
        uint64_t o = sys_kernel_info(KINFO_OBJECTS), m = sys_kernel_info(KINFO_MAPPINGS);
        if (o != objects || m != mappings) {
            still = 0;
            since = sys_kernel_info(KINFO_TICKS);
        } else {
            still++;
        }
        objects = o;
        mappings = m;
        sys_yield();
    }
}

/* The child blocked, the waiter waiting: a canary of ours works (its
 * wait is our second one); then the kill ends the child and answers the
 * waiter. 0, or a failure reported. */
static int blocked_then_killed(const char *name, int64_t pid, handle_t t, int *killed)
{
    if (!wait_count(&waiter_box.calling, 1) || !wait_state(t, THREAD_BLOCKED_REPLY))
        return fail(name, "the waiter did not get to its wait (state %lu)", state_of(t));
    settle();                             /* the child too, before the canary counts */
    if (canary_process(name))
        return 1;
    if (state_of(t) != THREAD_BLOCKED_REPLY || waiter_box.got)
        return fail(name, "the waiter returned (pid %ld, status 0x%x) before the kill",
                    waiter_box.got, waiter_box.status);
    int64_t err = kill_child(pid);
    if (err)
        return fail(name, "kill_child gave %ld", err);
    *killed = 1;
    if (!wait_state(t, ~0ull) || waiter_box.got != pid || waiter_box.status != 0x80)
        return fail(name, "the waiter got pid %ld, status 0x%x (%ld, 0x80 wanted; state %lu)",
                    waiter_box.got, waiter_box.status, pid, state_of(t));
    if (round_no == 1)
        printf("a_lifetimes: %s: a canary forked, faulted and exited while the waiter "
               "waited; kill_child answered the waiter with 0x%x\n", name, waiter_box.status);
    return 0;
}

static int life_blocked_child(void)
{
    const char *name = "life_blocked_child";
    struct counts before;
    handle_t t = 0;
    int r = 1, killed = 0, status;
    counts_take(&before);
    int64_t pid = fork();
    if (pid == 0) {
        utest_block();
        exit(3);
    }
    if (pid < 0)
        return fail(name, "fork failed with %ld", pid);
    if (waiter_start(pid, &t))
        fail(name, "starting the waiter failed");
    else
        r = blocked_then_killed(name, pid, t, &killed);
    waiter_end(t);
    if (!killed && !kill_child(pid))
        wait_pid(pid, &status);           /* (a failure: nothing stays behind) */
    return r ? 1 : after_attack(name, &before, 1);
}

/* ---- life_notice_how ----------------------------------------------------------- */

/* A death notice says how the task ended even when it waited in the queue
 * for its pager (us) to receive: a vm's only thread calls SYS_EXIT(42)
 * while we do not receive; another vm's only thread is destroyed by us
 * (the kernel ends it; we destroyed the thread, not the space, so we are
 * told). The kernel once wrote "killed, 0" over the first after posting
 * it, and called the second "exited" (how a fresh space started). */
static void exit_42(void *args)
{
    (void)args;
    sys_exit(42);
}

static void spin_forever(void *args)
{
    (void)args;
    for (;;)
        ;
}

/* The next message on ep, which must be v's death notice saying how/status. */
static int notice_says(const char *name, handle_t ep, const char *what, uint64_t how,
                       uint64_t status)
{
    struct ipc_msg m;
    struct ipc_status st = sys_recv(ep, &m);
    if (st.status || m.tag != (DEATH_NOTICE | TAG_KERNEL))
        return fail(name, "%s: no death notice (status %lu, tag 0x%lx)", what, st.status, m.tag);
    if (m.w[0] != how || m.w[1] != status)
        return fail(name, "%s: the notice says how %lu, status %lu (%lu, %lu wanted)", what,
                    m.w[0], m.w[1], how, status);
    return 0;
}

static int life_notice_how(void)
{
    const char *name = "life_notice_how";
    struct counts before;
    struct vm a = { 0 }, b = { 0 };
    handle_t ep = 0;
    int r = 1;
    counts_take(&before);
    if (sys_endpoint_create(&ep) || vm_build(&a, ep) || vm_build(&b, ep)) {
        fail(name, "building the vms failed");
        goto out;
    }
    if (vm_thread(&a, exit_42) || !wait_state(a.thread, ~0ull)) {
        fail(name, "the exiting thread did not end (state %lu)", state_of(a.thread));
        goto out;
    }
    if (notice_says(name, ep, "SYS_EXIT(42), queued", DEATH_EXITED, 42))
        goto out;
    if (vm_thread(&b, spin_forever) || sys_thread_destroy(b.thread)) {
        fail(name, "starting or destroying the spinner failed");
        goto out;
    }
    if (notice_says(name, ep, "destroyed by us, queued", DEATH_KILLED, 0))
        goto out;
    r = 0;
out:
    vm_destroy(&a);
    vm_destroy(&b);
    endpoint_drop(ep);
    return r ? 1 : after_attack(name, &before, 0);
}

/* ---- the whole attack, twice -------------------------------------------------- */

static int attack(void)
{
    return life_saved_reply_kills_caller() + life_recv_owing_fault() + life_teardown_chain() +
           life_owned_objects() + life_death_notice() + life_notice_how() + life_last_page() +
           life_blocked_child();
}

extern char __image_end[];

int main(void)
{
    touch_image();
    for (volatile char *p = __rodata_end; p < __image_end; p += PAGE)
        *p = *p;                           /* data and bss (the waiter's stack): mapped now,
                                              not during a count */
    return attack_twice("a_lifetimes", "life_no_leak", attack);
}
