/*
 * a_smp: a hostile process against the kernel's SMP paths (every CPU runs
 * threads under one lock; kills, stops and moves of a thread running on
 * another CPU reach it by IPI; shootdowns). Threads of ours or of a space
 * we made spin on other CPUs (a counter they increment is how we see them
 * run; the "reporting" ones also write KINFO_CPU now and then) while we:
 *
 *   smp_kill_running     sys_thread_destroy a spinner on each other CPU:
 *                        OK, and its counter stops changing; every call on
 *                        its handle then says IPC_EDEAD. How many times it
 *                        still counted after the destroy returned is
 *                        printed (the kill reaches that CPU by IPI)
 *   smp_stop_start       stop a spinner (THREAD_INACTIVE at once, and its
 *                        counter stops), start it (it counts again, on the
 *                        CPU it is pinned to; a second start is
 *                        IPC_ESTATE), stopped pin elsewhere and start, and
 *                        300 stop/start pairs as fast as they go
 *   smp_pin_running      pin a running spinner from CPU to CPU: it goes
 *                        on running, and on the new one
 *   smp_pin_invalid      pins to CPUs n, n+1, 2^32, 2^63, -1 (ourselves and
 *                        a spinner) are IPC_EINVAL and move nothing; a pin
 *                        through no handle, an endpoint, our space, a
 *                        thread handle without RIGHT_CONTROL is refused
 *   smp_pin_states       pin a dead thread (IPC_EDEAD), one blocked in a
 *                        receive, one blocked in a call, one never started,
 *                        one stopped in a receive: each, once woken or
 *                        started, runs on the CPU it was pinned to last
 *   smp_pin_pingpong     two threads on two CPUs pin a spinner back and
 *                        forth, and each other, 200 times each, at once;
 *                        the spinner runs on, where it is pinned last
 *   smp_self_pin         a thread per CPU pins itself to another CPU every
 *                        iteration and checks KINFO_CPU there, 100 times
 *   smp_shootdown_storm  a thread per CPU munmaps, maps and mprotects its
 *                        own region through the pager over and over (each
 *                        a shootdown to every CPU running us), checking
 *                        fresh zero pages and its writes, while a space of
 *                        ours spins on every other CPU and a thread per CPU maps,
 *                        protects and unmaps pages in it directly
 *   smp_space_destroy    sys_space_destroy a space whose threads spin on
 *                        every other CPU: they stop; their handles are dead
 *   smp_exit_running     a child whose threads spin on every CPU exits
 *                        (from its main thread, and from another thread),
 *                        or is killed by us: the status comes, nothing stays
 *   smp_no_leak          the second run gives everything back exactly
 *
 * A canary process works after each. Every wait has a deadline: a hang is
 * reported, not waited for.
 */
#include "attack.h"
#include <stdbool.h>

#define NAME_PROG   "a_smp"
#define TICKS_WAIT  500                  /* 5 s: what takes longer is stuck */
#define SETTLE      3                    /* ticks for an IPI to have landed */
#define STACK_SIZE  (4 * PAGE)
#define MAX_CPUS    64
#define LBL_WAKE    0x5a01ull
#define VM_SPIN_MAX 16                   /* spinners in one vm */
#define VM_COUNTERS (STACK_VA + ARGS_OFF) /* their counters, in the vm's stack page */

static unsigned ncpu;
static uint64_t stacks, nstacks;         /* our threads' stacks, STACK_SIZE each */

static uint64_t ticks(void) { return sys_kernel_info(KINFO_TICKS); }

/* A pause in a wait: a while in user mode, then a yield. (Waits that only
 * yield would take the kernel lock twice a turn, and the threads waited
 * for need it too.) */
static void relax(void)
{
    for (int i = 0; i < 20000; i++)
        __builtin_ia32_pause();
    sys_yield();
}

static void settle(uint64_t n)
{
    for (uint64_t t0 = ticks(); ticks() - t0 < n;)
        relax();
}

/* Stack slot i: 0..11 the tests' threads, 12.. two per CPU (the storm). */
static uint64_t stack_top(unsigned i) { return stacks + (uint64_t)(i + 1) * STACK_SIZE - 8; }

static uint64_t state_of(handle_t t, uint64_t *status)
{
    *status = 0;
    return sys_thread_state(t, status);
}

static bool is_dead(handle_t t)
{
    uint64_t st;
    return state_of(t, &st) == ~0ull && st == IPC_EDEAD;
}

/* The end of an attack that did not fail already: every kernel object it
 * made is gone (a thread killed while it ran on another CPU goes once that
 * CPU has switched away from it, a moment after the kill returned: we wait
 * for that, within TICKS_WAIT), then a canary must work. */
static int finish(const char *name, int failed, uint64_t objects_before)
{
    if (failed)
        return 1;
    uint64_t now = sys_kernel_info(KINFO_OBJECTS);
    for (uint64_t t0 = ticks(); now != objects_before; relax(), now = sys_kernel_info(KINFO_OBJECTS))
        if (ticks() - t0 > TICKS_WAIT)
            return fail(name, "kernel objects %ld after it, not back", (int64_t)(now - objects_before));
    return canary_process(name) ? 1 : pass(name);
}

/* ---- spinners: threads of ours counting on a CPU ---------------------------- */

struct spinner {
    volatile uint64_t count;
    volatile uint64_t where;             /* KINFO_CPU, written now and then (reporting) */
    handle_t t;
    unsigned slot;
};
static struct spinner spinners[MAX_CPUS];

static void spin_pure(uint64_t i)
{
    struct spinner *s = &spinners[i];
    for (;;)
        s->count++;
}

static void spin_reporting(uint64_t i)
{
    struct spinner *s = &spinners[i];
    for (;;) {
        for (int k = 0; k < 512; k++)
            s->count++;
        s->where = sys_kernel_info(KINFO_CPU);
    }
}

/* Spinner i (its stack slot too) on cpu, started. 0 or the failing status. */
static uint64_t spinner_start(unsigned i, unsigned cpu, bool reporting)
{
    struct spinner *s = &spinners[i];
    s->count = 0;
    s->where = ~0ull;
    s->t = 0;
    uint64_t err = sys_thread_create(SELF_SPACE_HANDLE,
                                     (uint64_t)(reporting ? spin_reporting : spin_pure),
                                     stack_top(i), PRIO, i, &s->t);
    if (!err)
        err = sys_thread_pin(s->t, cpu);
    if (!err)
        err = sys_thread_start(s->t);
    return err;
}

/* Until spinner i's count passes its value now plus `more`; false when it
 * does not within TICKS_WAIT. */
static bool counts_on(unsigned i, uint64_t more)
{
    uint64_t c0 = spinners[i].count;
    for (uint64_t t0 = ticks(); spinners[i].count < c0 + more; relax())
        if (ticks() - t0 > TICKS_WAIT)
            return false;
    return true;
}

/* Until spinner i reports CPU cpu; false when it does not in time. */
static bool runs_on(unsigned i, unsigned cpu)
{
    spinners[i].where = ~0ull;
    for (uint64_t t0 = ticks(); spinners[i].where != cpu; relax())
        if (ticks() - t0 > TICKS_WAIT)
            return false;
    return true;
}

/* Whether spinner i's count stays as it is over SETTLE ticks, twice. */
static bool frozen(unsigned i)
{
    settle(SETTLE);
    uint64_t c = spinners[i].count;
    settle(SETTLE);
    return spinners[i].count == c;
}

static void spinner_end(unsigned i)
{
    struct spinner *s = &spinners[i];
    if (s->t) {
        sys_thread_destroy(s->t);
        sys_handle_close(s->t);
        s->t = 0;
    }
}

/* The CPU after c other than 0 when there is one (0 runs us and the pager). */
static unsigned other_cpu(unsigned c) { return ncpu > 2 ? 1 + c % (ncpu - 1) : 1; }

/* ---- smp_kill_running ------------------------------------------------------- */

static int kill_running(void)
{
    const char *name = "smp_kill_running";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    uint64_t worst = 0, total = 0, kills = 0;
    for (unsigned rep = 0; rep < 2; rep++) {
        for (unsigned c = 1; c < ncpu; c++) {
            unsigned i = c;
            bool reporting = rep & 1;
            uint64_t err = spinner_start(i, c, reporting);
            if (err)
                return fail(name, "spinner on CPU %u: %lu", c, err);
            if (!counts_on(i, 1000)) {
                uint64_t st;
                return fail(name, "the spinner on CPU %u does not run (state %lu, count %lu, where %lu)", c, state_of(spinners[i].t, &st), spinners[i].count, spinners[i].where);
            }
            if (reporting && !runs_on(i, c))
                return fail(name, "the spinner pinned to CPU %u runs on %lu", c, spinners[i].where);
            err = sys_thread_destroy(spinners[i].t);
            uint64_t at_return = spinners[i].count;
            if (err)
                return fail(name, "destroy of a thread running on CPU %u: %lu", c, err);
            if (!frozen(i))
                return fail(name, "a thread destroyed on CPU %u runs on (count %lu)", c,
                            spinners[i].count);
            uint64_t after = spinners[i].count - at_return;
            if (after)              /* its CPU let it go before the destroy returned */
                return fail(name, "a thread destroyed on CPU %u counted %lu more after the "
                            "destroy returned", c, after);
            worst = after > worst ? after : worst;
            total += after;
            kills++;
            handle_t t = spinners[i].t;
            uint64_t st;
            if (!is_dead(t) || sys_thread_start(t) != IPC_EDEAD ||
                sys_thread_stop(t) != IPC_EDEAD || sys_thread_pin(t, 0) != IPC_EDEAD ||
                sys_thread_destroy(t) != IPC_EDEAD)
                return fail(name, "a dead thread's handle: state %lu, start %lu, stop %lu, pin %lu",
                            state_of(t, &st), sys_thread_start(t), sys_thread_stop(t),
                            sys_thread_pin(t, 0));
            sys_handle_close(t);
            spinners[i].t = 0;
        }
    }
    if (round_no == 1)
        printf("a_smp: smp_kill_running: %lu kills; the killed thread counted on after "
               "sys_thread_destroy returned: at most %lu, %lu in all\n", kills, worst, total);
    return finish(name, 0, o0);
}

/* ---- smp_stop_start ----------------------------------------------------------- */

static int stop_start(void)
{
    const char *name = "smp_stop_start";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    unsigned i = 1, c = other_cpu(0);
    uint64_t err = spinner_start(i, c, true), st;
    if (err || !counts_on(i, 1000))
        return fail(name, "spinner: %lu", err);
    handle_t t = spinners[i].t;
    int failed = 0;
    for (unsigned rep = 0; rep < 12 && !failed; rep++) {
        if ((err = sys_thread_stop(t)) || state_of(t, &st) != THREAD_INACTIVE)
            failed = fail(name, "stop of a running thread: %lu, state %lu", err, state_of(t, &st));
        else if (!frozen(i))
            failed = fail(name, "a stopped thread counts on");
        else if (sys_thread_stop(t))
            failed = fail(name, "a second stop was refused");
        else if (rep & 1 && (err = sys_thread_pin(t, c = rep % ncpu)))
            failed = fail(name, "pin of a stopped thread: %lu", err);
        else if ((err = sys_thread_start(t)))
            failed = fail(name, "start of a stopped thread: %lu", err);
        else if (!counts_on(i, 1000))
            failed = fail(name, "a started thread does not count");
        else if (!runs_on(i, c))
            failed = fail(name, "the started thread pinned to CPU %u runs on %lu", c,
                          spinners[i].where);
        else if ((err = sys_thread_start(t)) != IPC_ESTATE)
            failed = fail(name, "start of a running thread: %lu, not IPC_ESTATE", err);
    }
    /* As fast as they go: each stop and start meets the thread where the
     * last left it, on its CPU or on its way there. */
    for (unsigned k = 0; k < 300 && !failed; k++) {
        if ((err = sys_thread_stop(t)) || (err = sys_thread_start(t)))
            failed = fail(name, "stop/start pair %u: %lu", k, err);
        if (k % 50 == 49 && (err = sys_thread_pin(t, c = k / 50 % ncpu)))
            failed = fail(name, "pin between the pairs: %lu", err);
    }
    if (!failed && (!counts_on(i, 1000) || !runs_on(i, c)))
        failed = fail(name, "after 300 stop/start pairs: it does not run on CPU %u (%lu)", c,
                      spinners[i].where);
    spinner_end(i);
    return finish(name, failed, o0);
}

/* ---- smp_pin_running ---------------------------------------------------------- */

static int pin_running(void)
{
    const char *name = "smp_pin_running";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    unsigned i = 2;
    uint64_t err = spinner_start(i, other_cpu(0), true);
    if (err || !counts_on(i, 1000))
        return fail(name, "spinner: %lu", err);
    int failed = 0;
    for (unsigned k = 0; k < 16 && !failed; k++) {
        unsigned c = (k * 3 + 1) % ncpu;
        if ((err = sys_thread_pin(spinners[i].t, c)))
            failed = fail(name, "pin %u of a running thread to CPU %u: %lu", k, c, err);
        else if (!runs_on(i, c) || !counts_on(i, 1000))
            failed = fail(name, "pinned to CPU %u while it ran, it runs on %lu", c,
                          spinners[i].where);
    }
    spinner_end(i);
    return finish(name, failed, o0);
}

/* ---- smp_pin_invalid ---------------------------------------------------------- */

static int pin_invalid(void)
{
    const char *name = "smp_pin_invalid";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    unsigned i = 3, c = other_cpu(1);
    uint64_t err = spinner_start(i, c, true);
    if (err || !runs_on(i, c))
        return fail(name, "spinner: %lu", err);
    const uint64_t bad[] = { ncpu, ncpu + 1, 1ull << 32, 1ull << 63, ~0ull, ncpu + 64 };
    int failed = 0;
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]) && !failed; k++) {
        uint64_t me = sys_thread_pin(HANDLE_NONE, bad[k]), it = sys_thread_pin(spinners[i].t, bad[k]);
        if (me != IPC_EINVAL || it != IPC_EINVAL)
            failed = fail(name, "pin to CPU 0x%lx: %lu for ourselves, %lu for a spinner (want "
                          "IPC_EINVAL)", bad[k], me, it);
        else if (sys_kernel_info(KINFO_CPU) != 0)
            failed = fail(name, "a refused pin moved us to CPU %lu", sys_kernel_info(KINFO_CPU));
    }
    if (!failed && !runs_on(i, c))
        failed = fail(name, "refused pins moved the spinner to %lu", spinners[i].where);
    handle_t ep = 0, weak = 0;
    if (!failed) {
        uint64_t none = sys_thread_pin(0x1ff0, 0), huge = sys_thread_pin(HANDLE_MAX + 5, 0);
        uint64_t e1 = sys_endpoint_create(&ep), on_ep = sys_thread_pin(ep, 0);
        uint64_t on_space = sys_thread_pin(SELF_SPACE_HANDLE, 0);
        uint64_t e2 = sys_handle_grant(HANDLE_NONE, spinners[i].t, RIGHT_DESTROY, 0, &weak);
        uint64_t on_weak = sys_thread_pin(weak, 0);
        if (none != IPC_EHANDLE || huge != IPC_EHANDLE || e1 || on_ep != IPC_ETYPE ||
            on_space != IPC_ETYPE || e2 || on_weak != IPC_ERIGHTS)
            failed = fail(name, "pins through no handle %lu, past the table %lu, an endpoint %lu, "
                          "our space %lu, a thread without RIGHT_CONTROL %lu (grant %lu)", none,
                          huge, on_ep, on_space, on_weak, e2);
        else if (!runs_on(i, c))
            failed = fail(name, "refused pins moved the spinner to %lu", spinners[i].where);
    }
    if (weak)
        sys_handle_close(weak);
    endpoint_drop(ep);
    spinner_end(i);
    return finish(name, failed, o0);
}

/* ---- smp_pin_states ----------------------------------------------------------- */

static handle_t st_ep;                   /* where the blocked ones receive or call */
static volatile uint64_t st_cpu[4], st_status[4], st_done[4];

static void receiver(uint64_t k)
{
    struct ipc_msg m;
    st_status[k] = sys_recv(st_ep, &m).status;
    st_cpu[k] = sys_kernel_info(KINFO_CPU);
    st_done[k] = 1;
    sys_exit(0);
}

static void caller(uint64_t k)
{
    struct ipc_msg m = { .tag = LBL_WAKE };
    st_status[k] = sys_call(st_ep, &m).status;
    st_cpu[k] = sys_kernel_info(KINFO_CPU);
    st_done[k] = 1;
    sys_exit(0);
}

static void runner(uint64_t k)
{
    st_status[k] = 0;
    st_cpu[k] = sys_kernel_info(KINFO_CPU);
    st_done[k] = 1;
    sys_exit(0);
}

static bool wait_done_flag(unsigned k)
{
    for (uint64_t t0 = ticks(); !st_done[k]; relax())
        if (ticks() - t0 > TICKS_WAIT)
            return false;
    return true;
}

static bool wait_state(handle_t t, uint64_t state)
{
    uint64_t st;
    for (uint64_t t0 = ticks(); state_of(t, &st) != state; relax())
        if (ticks() - t0 > TICKS_WAIT)
            return false;
    return true;
}

static int pin_states(void)
{
    const char *name = "smp_pin_states";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    int failed = 0;
    uint64_t err, st;
    if ((err = sys_endpoint_create(&st_ep)))
        return fail(name, "endpoint: %lu", err);
    handle_t t[4] = { 0 };
    for (unsigned k = 0; k < 4; k++)
        st_done[k] = 0, st_cpu[k] = ~0ull;
    /* 0: a dead thread (it ran and ended). */
    if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)runner, stack_top(4), PRIO, 0, &t[0])) ||
        (err = sys_thread_start(t[0])) || !wait_done_flag(0) || !wait_state(t[0], ~0ull))
        failed = fail(name, "a thread that ends: %lu", err);
    else if ((err = sys_thread_pin(t[0], 1)) != IPC_EDEAD)
        failed = fail(name, "pin of a dead thread: %lu, not IPC_EDEAD", err);
    /* 1: blocked in a receive, pinned to each CPU in turn, then woken. */
    if (!failed) {
        st_done[1] = 0;
        if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)receiver, stack_top(5), PRIO, 1, &t[1])) ||
            (err = sys_thread_pin(t[1], 0)) || (err = sys_thread_start(t[1])) ||
            !wait_state(t[1], THREAD_BLOCKED_RECV))
            failed = fail(name, "a receiving thread: %lu", err);
        for (unsigned c = 0; c < ncpu && !failed; c++)
            if ((err = sys_thread_pin(t[1], (c + 1) % ncpu)) || state_of(t[1], &st) != THREAD_BLOCKED_RECV)
                failed = fail(name, "pin of a receiving thread: %lu, state %lu", err, state_of(t[1], &st));
        struct ipc_msg m = { .tag = LBL_WAKE };
        if (!failed && ((err = sys_send(st_ep, &m).status) || !wait_done_flag(1)))
            failed = fail(name, "wake the receiver: %lu", err);
        else if (!failed && (st_status[1] || st_cpu[1] != 0))   /* the last pin: (ncpu - 1 + 1) % ncpu */
            failed = fail(name, "the woken receiver: status %lu, on CPU %lu (pinned to 0)",
                          st_status[1], st_cpu[1]);
    }
    /* 2: blocked in a call we took and answer later. */
    if (!failed) {
        unsigned c = other_cpu(2);
        struct ipc_msg m;
        if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)caller, stack_top(6), PRIO, 2, &t[2])) ||
            (err = sys_thread_start(t[2])) || (err = sys_recv(st_ep, &m).status) ||
            (err = sys_thread_pin(t[2], c)) || state_of(t[2], &st) != THREAD_BLOCKED_REPLY)
            failed = fail(name, "a caller waiting for our reply: %lu, state %lu", err, state_of(t[2], &st));
        else if ((err = sys_reply(&m)) || !wait_done_flag(2) || st_status[2] || st_cpu[2] != c)
            failed = fail(name, "the answered caller: reply %lu, status %lu, on CPU %lu (pinned "
                          "to %u)", err, st_status[2], st_cpu[2], c);
    }
    /* 3: never started, pinned, started; then the receiver again, stopped
     * in its receive, pinned, started: its receive says IPC_ECANCELED. */
    if (!failed) {
        unsigned c = other_cpu(3);
        if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)runner, stack_top(7), PRIO, 3, &t[3])) ||
            (err = sys_thread_pin(t[3], c)) || state_of(t[3], &st) != THREAD_INACTIVE ||
            (err = sys_thread_start(t[3])) || !wait_done_flag(3) || st_cpu[3] != c)
            failed = fail(name, "a thread pinned before its start: %lu, on CPU %lu (pinned to %u)",
                          err, st_cpu[3], c);
    }
    if (!failed) {
        unsigned c = other_cpu(1);
        sys_handle_close(t[1]);
        st_done[1] = 0;
        if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)receiver, stack_top(5), PRIO, 1, &t[1])) ||
            (err = sys_thread_start(t[1])) || !wait_state(t[1], THREAD_BLOCKED_RECV) ||
            (err = sys_thread_stop(t[1])) || state_of(t[1], &st) != THREAD_INACTIVE ||
            (err = sys_thread_pin(t[1], c)) || (err = sys_thread_start(t[1])) || !wait_done_flag(1))
            failed = fail(name, "a receiver stopped, pinned, started: %lu", err);
        else if (st_status[1] != IPC_ECANCELED || st_cpu[1] != c)
            failed = fail(name, "the restarted receiver: status %lu (want IPC_ECANCELED), on CPU "
                          "%lu (pinned to %u)", st_status[1], st_cpu[1], c);
    }
    for (unsigned k = 0; k < 4; k++)
        if (t[k]) {
            wait_state(t[k], ~0ull);
            sys_thread_destroy(t[k]);
            sys_handle_close(t[k]);
        }
    endpoint_drop(st_ep);
    return finish(name, failed, o0);
}

/* ---- smp_pin_pingpong ----------------------------------------------------------- */

static volatile uint64_t pp_errors, pp_done, pp_last_err;
static handle_t pp_pinner[2];

static void pinner(uint64_t k)
{
    handle_t victim = spinners[8].t, peer = pp_pinner[1 - k];
#define PINGPONG 200
    for (unsigned n = 0; n < PINGPONG; n++) {
        uint64_t e = sys_thread_pin(victim, (n + k) % ncpu);
        if (!e && n % 8 == 0 && peer) {
            e = sys_thread_pin(peer, (n / 8 + k) % ncpu);   /* the other pinner, as it pins */
            if (e == IPC_EDEAD)
                e = 0;                   /* it has finished */
        }
        if (!e && n % 16 == 0)
            e = sys_thread_pin(HANDLE_NONE, (n / 16 + k + 1) % ncpu);
        if (e) {
            __atomic_add_fetch(&pp_errors, 1, __ATOMIC_SEQ_CST);
            pp_last_err = e;
        }
    }
    __atomic_add_fetch(&pp_done, 1, __ATOMIC_SEQ_CST);
    sys_exit(0);
}

static int pin_pingpong(void)
{
    const char *name = "smp_pin_pingpong";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    pp_errors = pp_done = 0;
    pp_pinner[0] = pp_pinner[1] = 0;
    uint64_t err = spinner_start(8, other_cpu(0), true);
    if (err || !counts_on(8, 1000))
        return fail(name, "spinner: %lu", err);
    for (unsigned k = 0; k < 2 && !err; k++)
        err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)pinner, stack_top(9 + k), PRIO, k,
                                &pp_pinner[k]);
    for (unsigned k = 0; k < 2 && !err; k++)
        if (!(err = sys_thread_pin(pp_pinner[k], (k + 1) % ncpu)))
            err = sys_thread_start(pp_pinner[k]);
    int failed = 0;
    if (err)
        failed = fail(name, "the pinners: %lu", err);
    for (uint64_t t0 = ticks(); !failed && pp_done < 2; relax())
        if (ticks() - t0 > 30 * TICKS_WAIT)   /* 17 s here idle; minutes under load */
            failed = fail(name, "the pinners did not finish (%lu of 2)", pp_done);
    if (!failed && pp_errors)
        failed = fail(name, "%lu pins refused (the last: %lu)", pp_errors, pp_last_err);
    unsigned c = other_cpu(1);
    if (!failed && (err = sys_thread_pin(spinners[8].t, c)))
        failed = fail(name, "the last pin: %lu", err);
    if (!failed && (!counts_on(8, 1000) || !runs_on(8, c)))
        failed = fail(name, "after the ping-pong the spinner does not run on CPU %u (%lu)", c,
                      spinners[8].where);
    for (unsigned k = 0; k < 2; k++)
        if (pp_pinner[k]) {
            wait_state(pp_pinner[k], ~0ull);
            sys_thread_destroy(pp_pinner[k]);
            sys_handle_close(pp_pinner[k]);
        }
    spinner_end(8);
    return finish(name, failed, o0);
}

/* ---- smp_self_pin --------------------------------------------------------------- */

#define SELF_PINS 100
static volatile uint64_t sp_wrong, sp_errors, sp_done, sp_progress[MAX_CPUS];

static void self_pinner(uint64_t k)
{
    for (unsigned n = 0; n < SELF_PINS; n++) {
        sp_progress[k] = n;
        unsigned c = (unsigned)((n + k) % ncpu);
        if (sys_thread_pin(HANDLE_NONE, c))
            __atomic_add_fetch(&sp_errors, 1, __ATOMIC_SEQ_CST);
        else if (sys_kernel_info(KINFO_CPU) != c)
            __atomic_add_fetch(&sp_wrong, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_add_fetch(&sp_done, 1, __ATOMIC_SEQ_CST);
    sys_exit(0);
}

static int self_pin(void)
{
    const char *name = "smp_self_pin";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    sp_wrong = sp_errors = sp_done = 0;
    handle_t t[MAX_CPUS] = { 0 };
    int failed = 0;
    uint64_t err = 0;
    for (unsigned k = 0; k < ncpu && !err; k++)
        err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)self_pinner, stack_top(10 + k), PRIO,
                                k, &t[k]);
    for (unsigned k = 0; k < ncpu && !err; k++)
        err = sys_thread_start(t[k]);
    if (err)
        failed = fail(name, "threads: %lu", err);
    for (uint64_t t0 = ticks(); !failed && sp_done < ncpu; relax())
        if (ticks() - t0 > 30 * TICKS_WAIT)   /* 17 s here idle; minutes under load */
            failed = fail(name, "the self-pinners did not finish (%lu of %u; progress %lu %lu %lu %lu)", sp_done, ncpu, sp_progress[0], sp_progress[1], sp_progress[2], sp_progress[3]);
    if (!failed && (sp_errors || sp_wrong))
        failed = fail(name, "%lu self-pins refused, %lu ran elsewhere than pinned", sp_errors,
                      sp_wrong);
    for (unsigned k = 0; k < ncpu; k++)
        if (t[k]) {
            wait_state(t[k], ~0ull);
            sys_handle_close(t[k]);
        }
    return finish(name, failed, o0);
}

/* ---- smp_shootdown_storm -------------------------------------------------------- */

#define STORM_ROUNDS 20
#define VM_ROUNDS    40
static volatile uint64_t storm_bad, storm_errors, storm_done;
static volatile uint64_t storm_err_what, storm_err_val;
static uint64_t storm_region[MAX_CPUS];
static struct vm storm_vm;

static void storm_error(uint64_t what, uint64_t val)
{
    storm_err_what = what;
    storm_err_val = val;
    __atomic_add_fetch(&storm_errors, 1, __ATOMIC_SEQ_CST);
}

/* Through the pager: our own region, 2 pages, remapped and reprotected. */
static void stormer(uint64_t k)
{
    uint64_t a = storm_region[k];
    for (uint64_t n = 1; n <= STORM_ROUNDS; n++) {
        volatile uint64_t *p = (volatile uint64_t *)a;
        if (munmap(a, 2 * PAGE) ||
            mmap(a, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED) != (int64_t)a) {
            storm_error(1, n);
            break;
        }
        if (p[0] || p[PAGE / 8 + 7])
            __atomic_add_fetch(&storm_bad, 1, __ATOMIC_SEQ_CST);   /* not a fresh page */
        p[0] = k << 32 | n;
        p[PAGE / 8 + 7] = ~(k << 32 | n);
        int64_t e = mprotect(a, 2 * PAGE, PROT_READ);
        uint64_t seen = e ? 0 : p[0];
        if (!e && seen != (k << 32 | n))
            e = 1000;                   /* read back wrong: 1000 */
        if (!e)
            e = mprotect(a, 2 * PAGE, PROT_READ | PROT_WRITE);
        if (e) {
            storm_error(2, n << 32 | (uint32_t)e);   /* round, then the status */
            break;
        }
        p[PAGE / 8 + 8] = n;
        if (p[0] != (k << 32 | n) || p[PAGE / 8 + 7] != ~(k << 32 | n) || p[PAGE / 8 + 8] != n)
            __atomic_add_fetch(&storm_bad, 1, __ATOMIC_SEQ_CST);
        sys_thread_pin(HANDLE_NONE, (unsigned)((k + n) % ncpu));   /* and move on */
    }
    __atomic_add_fetch(&storm_done, 1, __ATOMIC_SEQ_CST);
    sys_exit(0);
}

/* Directly: a page of ours mapped into the vm (whose threads spin on every
 * CPU), protected and unmapped, over and over: each a shootdown. */
static uint64_t storm_page;

static void vm_mapper(uint64_t k)
{
    uint64_t va = 0x0000400000000000ull + k * 16 * PAGE;
    for (uint64_t n = 0; n < VM_ROUNDS; n++) {
        uint64_t e = sys_map(storm_vm.space, storm_page, va, 1, PAGE_READ | PAGE_WRITE);
        if (!e)
            e = sys_protect(storm_vm.space, va, 1, PAGE_READ);
        if (!e)
            e = sys_unmap(storm_vm.space, va, 1);
        if (e) {
            storm_error(3, e);
            break;
        }
    }
    __atomic_add_fetch(&storm_done, 1, __ATOMIC_SEQ_CST);
    sys_exit(0);
}

/* Runs in a vm: counts at counter (in the vm's stack page) for ever. */
static void vm_spin(void *counter)
{
    volatile uint64_t *c = counter;
    for (;;)
        ++*c;
}

static volatile uint64_t *vm_counter(struct vm *v, unsigned k)
{
    return (volatile uint64_t *)((uint64_t)vm_args(v) + 8 * k);
}

/* k spinners in v at priority prio, one per CPU from cpu `first` on,
 * round the CPUs. */
static uint64_t vm_spinners(struct vm *v, unsigned k, unsigned first, unsigned prio, handle_t *t)
{
    for (unsigned j = 0; j < k; j++) {
        *vm_counter(v, j) = 0;
        uint64_t err = sys_thread_create(v->space, (uint64_t)vm_spin, STACK_VA + 128 * (j + 1) - 8,
                                         prio, VM_COUNTERS + 8 * j, &t[j]);
        if (!err)
            err = sys_thread_pin(t[j], (first + j) % ncpu);
        if (!err)
            err = sys_thread_start(t[j]);
        if (err)
            return err;
    }
    return 0;
}

static bool vm_counting(struct vm *v, unsigned k)
{
    for (unsigned j = 0; j < k; j++) {
        uint64_t c0 = *vm_counter(v, j);
        for (uint64_t t0 = ticks(); *vm_counter(v, j) < c0 + 1000; relax())
            if (ticks() - t0 > TICKS_WAIT)
                return false;
    }
    return true;
}

static void vm_threads_drop(handle_t *t, unsigned k)
{
    for (unsigned j = 0; j < k; j++)
        if (t[j]) {
            sys_handle_close(t[j]);
            t[j] = 0;
        }
}

static int shootdown_storm(void)
{
    const char *name = "smp_shootdown_storm";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    storm_bad = storm_errors = storm_done = 0;
    int failed = 0;
    handle_t ep = 0, vt[MAX_CPUS] = { 0 }, t[2 * MAX_CPUS] = { 0 };
    uint64_t err = sys_endpoint_create(&ep);
    int vmerr = err ? -10 : vm_build(&storm_vm, ep);
    storm_page = page_new(7);
    if (vmerr || !storm_page)
        return fail(name, "the vm: %d", vmerr);
    /* (Below ours: a stormer woken on a CPU where one spins at its own
     * priority would wait for the end of the spinner's time slice.) */
    /* On every CPU but ours (where our waits would starve them). */
    if ((err = vm_spinners(&storm_vm, ncpu - 1, 1, PRIO - 1, vt)) || !vm_counting(&storm_vm, ncpu - 1))
        failed = fail(name, "the vm's spinners: %lu", err);
    /* Every region first: a stormer's munmap leaves a hole that an mmap(0)
     * of ours made meanwhile would fill (then two threads share one). */
    for (unsigned k = 0; k < ncpu && !failed; k++) {
        int64_t a = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
        if (a < 0)
            failed = fail(name, "mmap: %ld", -a);
        else
            storm_region[k] = (uint64_t)a;
    }
    unsigned nt = 0;
    for (unsigned k = 0; k < ncpu && !failed; k++) {
        if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)stormer, stack_top(12 + k), PRIO,
                                     k, &t[nt])) ||
            (err = sys_thread_pin(t[nt], k)) || (err = sys_thread_start(t[nt])))
            failed = fail(name, "a stormer: %lu", err);
        nt++;
        if (!failed &&
            ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)vm_mapper, stack_top(12 + ncpu + k),
                                      PRIO, k, &t[nt])) ||
             (err = sys_thread_pin(t[nt], (k + 1) % ncpu)) || (err = sys_thread_start(t[nt]))))
            failed = fail(name, "a mapper: %lu", err);
        nt++;
    }
    for (uint64_t t0 = ticks(); !failed && storm_done < nt; relax())
        if (ticks() - t0 > 30 * TICKS_WAIT)   /* 17 s here idle; minutes under load */
            failed = fail(name, "the storm did not end (%lu of %u threads done)", storm_done, nt);
    if (!failed && (storm_errors || storm_bad))
        failed = fail(name, "%lu calls failed (the last: kind %lu, 0x%lx), %lu pages read wrong",
                      storm_errors, storm_err_what, storm_err_val, storm_bad);
    if (!failed && !vm_counting(&storm_vm, ncpu - 1))
        failed = fail(name, "the vm's spinners stopped");
    for (unsigned j = 0; j < nt; j++)
        if (t[j]) {
            wait_state(t[j], ~0ull);
            sys_thread_destroy(t[j]);
            sys_handle_close(t[j]);
        }
    vm_destroy(&storm_vm);
    vm_threads_drop(vt, ncpu);
    for (unsigned k = 0; k < ncpu; k++)
        if (storm_region[k]) {
            munmap(storm_region[k], 2 * PAGE);
            storm_region[k] = 0;
        }
    munmap(storm_page, PAGE);
    endpoint_drop(ep);
    return finish(name, failed, o0);
}

/* ---- smp_space_destroy ---------------------------------------------------------- */

static int space_destroy_running(void)
{
    const char *name = "smp_space_destroy";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    int failed = 0;
    handle_t ep = 0;
    uint64_t err = sys_endpoint_create(&ep);
    if (err)
        return fail(name, "endpoint: %lu", err);
    for (unsigned rep = 0; rep < 6 && !failed; rep++) {
        struct vm v;
        handle_t t[VM_SPIN_MAX] = { 0 };
        unsigned k = ncpu - 1 + (rep & 1);   /* every other CPU, or every one with ours */
        int e = vm_build(&v, ep);
        if (e)
            failed = fail(name, "vm_build: %d", e);
        else if ((err = vm_spinners(&v, k, 1, PRIO, t)) || !vm_counting(&v, k))
            failed = fail(name, "the spinners: %lu", err);
        else if ((err = sys_space_destroy(v.space)))
            failed = fail(name, "destroy of a space running on %u CPUs: %lu", k, err);
        if (!failed) {
            uint64_t c[VM_SPIN_MAX];
            settle(SETTLE);
            for (unsigned j = 0; j < k; j++)
                c[j] = *vm_counter(&v, j);
            settle(SETTLE);
            for (unsigned j = 0; j < k && !failed; j++)
                if (*vm_counter(&v, j) != c[j])
                    failed = fail(name, "a thread of a destroyed space runs on (CPU %u)",
                                  (1 + j) % ncpu);
            for (unsigned j = 0; j < k && !failed; j++)
                if (!is_dead(t[j]) || sys_thread_pin(t[j], 0) != IPC_EDEAD ||
                    sys_thread_start(t[j]) != IPC_EDEAD)
                    failed = fail(name, "a thread of a destroyed space is not dead");
        }
        vm_destroy(&v);
        vm_threads_drop(t, VM_SPIN_MAX);
    }
    endpoint_drop(ep);
    return finish(name, failed, o0);
}

/* ---- smp_exit_running ----------------------------------------------------------- */

enum { EXIT_MAIN = 0, EXIT_OTHER = 1, KILLED_BY_PARENT = 2 };
static volatile uint64_t child_counts[MAX_CPUS];

static void child_spin(uint64_t k)
{
    for (;;)
        child_counts[k]++;
}

static void child_exiter(uint64_t status)
{
    for (unsigned k = 0; k < ncpu; k++)
        for (uint64_t c0 = child_counts[k], t0 = ticks(); child_counts[k] < c0 + 1000; relax())
            if (ticks() - t0 > 4 * TICKS_WAIT)
                exit(60);
    exit((int)status);
}

static void __attribute__((noreturn)) exit_child(int how)
{
    int64_t st = mmap(0, (ncpu + 1) * STACK_SIZE, PROT_READ | PROT_WRITE, 0);
    if (st < 0)
        exit(50);
    handle_t t;
    for (unsigned k = 0; k < ncpu; k++) {
        child_counts[k] = 0;
        if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)child_spin,
                              (uint64_t)st + (k + 1) * STACK_SIZE - 8, PRIO, k, &t) ||
            sys_thread_pin(t, k) || sys_thread_start(t))
            exit(51);
    }
    if (how == EXIT_OTHER) {
        if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)child_exiter,
                              (uint64_t)st + (ncpu + 1) * STACK_SIZE - 8, PRIO, 23, &t) ||
            sys_thread_pin(t, ncpu - 1) || sys_thread_start(t))
            exit(52);
        for (;;)
            sys_yield();                 /* the other thread's exit ends us */
    }
    if (how == KILLED_BY_PARENT)
        for (;;)
            sys_yield();
    child_exiter(22);
    exit(53);
}

static int exit_running(void)
{
    const char *name = "smp_exit_running";
    uint64_t o0 = sys_kernel_info(KINFO_OBJECTS);
    static const int want[] = { 22, 23, 0x80 };
    for (unsigned rep = 0; rep < 6; rep++) {
        int how = (int)(rep % 3);
        int64_t pid = fork();
        if (pid == 0)
            exit_child(how);
        if (pid < 0)
            return fail(name, "fork: %ld", -pid);
        if (how == KILLED_BY_PARENT) {
            settle(2 * SETTLE);          /* its threads spin by now */
            if (kill_child(pid))
                return fail(name, "kill_child");
        }
        int st = -1;
        if (wait_pid(pid, &st) != pid || st != want[how])
            return fail(name, "a child running on every CPU (way %d) ended with %d, not %d", how,
                        st, want[how]);
    }
    return finish(name, 0, o0);
}

/* ---- the whole ------------------------------------------------------------------ */

static const struct {
    const char *name;
    int (*run)(void);
} attacks[] = {
    { "kill", kill_running }, { "stop", stop_start }, { "pin", pin_running },
    { "invalid", pin_invalid }, { "states", pin_states }, { "pingpong", pin_pingpong },
    { "self", self_pin }, { "storm", shootdown_storm }, { "destroy", space_destroy_running },
    { "exit", exit_running },
};
static char only[24];                    /* a_smp.only=NAME: that attack alone (debugging) */

static int attack(void)
{
    int failed = 0;
    for (unsigned k = 0; k < sizeof(attacks) / sizeof(attacks[0]); k++)
        if (!only[0] || !strcmp(only, attacks[k].name)) {
            uint64_t t0 = ticks();
            failed += attacks[k].run();
            printf("a_smp: %s (run %d) took %lu ticks\n", attacks[k].name, round_no, ticks() - t0);
        }
    return failed;
}

int main(void)
{
    ncpu = (unsigned)sys_kernel_info(KINFO_CPUS);
    if (ncpu < 2 || ncpu > VM_SPIN_MAX) {
        printf("TEST smp_no_leak fail a_smp needs 2 to %u CPUs, not %u\n", VM_SPIN_MAX, ncpu);
        return 1;
    }
    if (sys_thread_pin(HANDLE_NONE, 0) || sys_kernel_info(KINFO_CPU) != 0) {
        printf("TEST smp_no_leak fail a_smp cannot pin itself to CPU 0\n");
        return 1;
    }
    nstacks = 12 + 2 * ncpu;
    int64_t s = mmap(0, nstacks * STACK_SIZE, PROT_READ | PROT_WRITE, 0);
    if (s < 0) {
        printf("TEST smp_no_leak fail a_smp: no stacks (%ld)\n", -s);
        return 1;
    }
    stacks = (uint64_t)s;
    for (uint64_t off = 0; off < nstacks * STACK_SIZE; off += PAGE)
        *(volatile uint64_t *)(stacks + off + PAGE - 64) = 0;   /* resident before the counts */
    touch_image();
    getenv_cmdline("a_smp.only", only, sizeof(only));
    printf("a_smp: %u CPUs%s%s\n", ncpu, only[0] ? "; only " : "", only);
    return attack_twice(NAME_PROG, "smp_no_leak", attack);
}
