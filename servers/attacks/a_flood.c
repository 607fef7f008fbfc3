/*
 * a_flood: time stolen through a server. A flooder keeps the pager busy
 * with expensive requests while a victim of the same priority spins; the
 * pager's work is charged to the flooder (time donation, kernel/sched.h),
 * so the victim must keep at least 40% of the CPU. The share is the
 * victim's own count of ticks charged to it (KINFO_THREAD_TICKS: it calls
 * nobody, so those are the ticks it ran) over the ticks of its window.
 *
 *   flood_mprotect   16 MiB, every page resident, made read-only and
 *                    read-write again, over and over (the case:
 *                    7% for the victim before donation)
 *   flood_faults     64 pages unmapped and touched again, over and over:
 *                    every touch a demand-zero fault the pager serves
 *   flood_fork       fork + exit + wait of a child of 16 MiB resident (the
 *                    pager copies the tables and tears them down), over
 *                    and over
 *   flood_server_apart  a server of its own space (a vm), a level above,
 *                    pinned to CPU 0 beside the victim; the flooder, pinned
 *                    to the last CPU where it is alone, calls it back to
 *                    back, each request 50,000 spins: the server's time is
 *                    the flooder's, paid on CPU 0 where it was spent (on
 *                    one CPU all three share it: donation as above)
 *
 * Each runs once alone first (the victim's share then, about 100%, is
 * printed) and then beside the flooder. With several CPUs the victim is
 * pinned to CPU 0, where the pager was placed, and the flooder to the last
 * CPU, where it is alone: the pager's work for it is done on the victim's
 * CPU, and must be charged there (kernel/sched.c, "pays where it owes"). A canary must work afterwards
 * with exact counts, and everything comes back (attack_twice).
 */
#include "attack.h"
#include <stdbool.h>

#define WINDOW_TICKS 150                 /* 1.5 s at 100 Hz */
#define MIN_SHARE    40                  /* percent */
#define FLOOD_MIB    16

enum { F_NONE, F_MPROTECT, F_FAULTS, F_FORK };

static void __attribute__((noreturn)) flooder(int kind)
{
    sys_thread_pin(HANDLE_NONE, (unsigned)sys_kernel_info(KINFO_CPUS) - 1);
    uint64_t len = kind == F_FAULTS ? 64 * PAGE : FLOOD_MIB << 20;
    int64_t a = mmap(0, len, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        exit(1);
    for (uint64_t off = 0; off < len; off += PAGE)
        *(volatile uint64_t *)(a + off) = off;        /* every page resident */
    for (uint64_t round = 0;; round++) {
        if (kind == F_MPROTECT) {
            if (mprotect((uint64_t)a, len, round & 1 ? PROT_READ | PROT_WRITE : PROT_READ))
                exit(2);
        } else if (kind == F_FAULTS) {
            if (munmap((uint64_t)a, len) ||
                mmap((uint64_t)a, len, PROT_READ | PROT_WRITE, MAP_FIXED) != a)
                exit(3);
            for (uint64_t off = 0; off < len; off += PAGE)
                *(volatile uint64_t *)(a + off) = round;
        } else {
            int64_t pid = fork();
            if (pid == 0)
                exit(0);
            int st;
            if (pid < 0 || wait_pid(pid, &st) != pid)
                exit(4);
        }
    }
}

/* Spins for WINDOW_TICKS ticks from a fresh turn; its share of them, in
 * percent. */
static int spin_window_share(void)
{
    sys_yield();                             /* start on a fresh turn */
    uint64_t t0 = sys_kernel_info(KINFO_TICKS), mine0 = sys_kernel_info(KINFO_THREAD_TICKS);
    volatile uint64_t spins = 0;
    while (sys_kernel_info(KINFO_TICKS) - t0 < WINDOW_TICKS)
        for (int i = 0; i < 1000; i++)
            spins++;
    uint64_t window = sys_kernel_info(KINFO_TICKS) - t0;
    uint64_t mine = sys_kernel_info(KINFO_THREAD_TICKS) - mine0;
    return (int)(mine * 100 / window);
}

/* Exits with its share (spin_window_share). */
static void __attribute__((noreturn)) victim(void)
{
    sys_thread_pin(HANDLE_NONE, 0);
    exit(spin_window_share());
}

/* The victim's share beside a flooder of `kind` (F_NONE: alone), or -1. */
static int share_beside(int kind)
{
    int64_t f = 0;
    if (kind != F_NONE && (f = fork()) == 0)
        flooder(kind);
    if (f < 0)
        return -1;
    for (int i = 0; i < 20; i++)
        sys_yield();                         /* let the flooder get going */
    int64_t v = fork();
    if (v == 0)
        victim();
    int share = -1, st;
    if (v > 0 && wait_pid(v, &share) != v)
        share = -1;
    if (f > 0) {
        kill_child(f);
        if (wait_pid(f, &st) != f)
            share = -1;
        else if (st != 0x80)
            share = -2 - st;                  /* the flooder failed: it did not flood */
    }
    return share;
}

/* The verdict on the victim's shares of `cpu` (negative: a run failed,
 * `why` says how), then a canary. */
static int verdict(const char *name, const char *cpu, int alone, int beside, const char *why)
{
    if (alone < 0 || beside < 0)
        return fail(name, "a run failed (alone %d, beside %d; %s)", alone, beside, why);
    if (beside < MIN_SHARE)
        return fail(name, "the victim kept %d%% of %s (at least %d%% wanted)", beside, cpu,
                    MIN_SHARE);
    if (canary_process(name))
        return 1;
    return pass(name);
}

static int flood(const char *name, int kind)
{
    int alone = share_beside(F_NONE), beside = share_beside(kind);
    if (round_no == 1)
        printf("a_flood: %s: the victim had %d%% of the CPU alone, %d%% beside the flooder\n",
               name, alone, beside);
    return verdict(name, "the CPU", alone, beside,
                   "-1: fork or wait, -2-s: the flooder exited with s");
}

/* ---- flood_server_apart ---- */

#define SERVER_SPINS 50000

/* In the vm: answers every call after SERVER_SPINS spins. args[0]: the
 * service endpoint in the vm's table. */
static void server(void *args)
{
    handle_t h = ((uint64_t *)args)[0];
    struct ipc_msg m;
    struct ipc_status st = sys_recv(h, &m);
    for (;;) {
        for (volatile uint64_t i = 0; i < SERVER_SPINS; i++)
            ;
        m.tag = 0;
        st = sys_reply_recv(h, &m);
        (void)st;
    }
}

static handle_t service, done_ep;
static volatile int apart_share;

static void apart_flooder(uint64_t arg)
{
    (void)arg;
    for (;;) {
        struct ipc_msg m = { .tag = 1 };
        sys_call(service, &m);
    }
}

/* Pinned to CPU 0 beside the server; its share, then a word to main. */
static void apart_victim(uint64_t arg)
{
    (void)arg;
    apart_share = spin_window_share();
    struct ipc_msg m = { .tag = 1 };
    sys_send(done_ep, &m);
    sys_exit(0);
}

#define APART_STACK (16 * PAGE)

/* The victim's share with the flooder (or alone), or a negative step. */
static int apart_share_of(bool flood, uint64_t stacks)
{
    unsigned last = (unsigned)sys_kernel_info(KINFO_CPUS) - 1;
    handle_t f = 0, v = 0;
    int r = -1;
    apart_share = -1;
    if (flood && (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)apart_flooder,
                                    stacks + APART_STACK - 64, PRIO - 1, 0, &f) ||
                  sys_thread_pin(f, last) || sys_thread_start(f)))
        goto out;
    r = -2;
    if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)apart_victim,
                          stacks + 2 * APART_STACK - 64, PRIO - 1, 0, &v) ||
        sys_thread_pin(v, 0) || sys_thread_start(v))
        goto out;
    r = -3;
    struct ipc_msg m;
    if (sys_recv(done_ep, &m).status)   /* the victim's word: it measured */
        goto out;
    r = apart_share;
out:
    if (f) {
        sys_thread_destroy(f);
        sys_handle_close(f);
    }
    if (v) {
        sys_thread_destroy(v);
        sys_handle_close(v);
    }
    return r;
}

static int flood_server_apart(void)
{
    const char *name = "flood_server_apart";
    unsigned last = (unsigned)sys_kernel_info(KINFO_CPUS) - 1;
    struct vm vm;
    handle_t fault_ep = 0, in = 0;
    int alone = -10, beside = -10, failed = 0;
    int64_t stacks = mmap(0, 2 * APART_STACK, PROT_READ | PROT_WRITE, 0);
    if (stacks < 0)
        return fail(name, "no stacks: %ld", -stacks);
    for (uint64_t off = 0; off < 2 * APART_STACK; off += PAGE)
        *(volatile uint64_t *)(stacks + off) = 0;      /* resident: no faults in the window */
    if (sys_endpoint_create(&fault_ep) || sys_endpoint_create(&service) ||
        sys_endpoint_create(&done_ep) || vm_build(&vm, fault_ep) ||
        sys_handle_grant(vm.space, service, RIGHT_RECV, 0, &in)) {
        failed = fail(name, "the server's vm could not be built");
    } else {
        ((uint64_t *)vm_args(&vm))[0] = in;
        /* Main waits on the flooder's CPU (blocked: it takes no time there). */
        if (vm_thread(&vm, server) || sys_thread_pin(vm.thread, 0) ||
            sys_thread_pin(HANDLE_NONE, last))
            failed = fail(name, "the server could not start");
        else {
            alone = apart_share_of(false, (uint64_t)stacks);
            beside = apart_share_of(true, (uint64_t)stacks);
        }
    }
    sys_thread_pin(HANDLE_NONE, 0);
    vm_destroy(&vm);
    endpoint_drop(fault_ep);
    endpoint_drop(service);
    endpoint_drop(done_ep);
    munmap((uint64_t)stacks, 2 * APART_STACK);
    if (failed)
        return 1;
    if (round_no == 1)
        printf("a_flood: %s: the victim had %d%% of CPU 0 alone, %d%% beside the flooder "
               "(on CPU %u)\n", name, alone, beside, last);
    return verdict(name, "CPU 0", alone, beside,
                   "-1: the flooder's start, -2: the victim's, -3: its word");
}

static int attack(void)
{
    return flood("flood_mprotect", F_MPROTECT) + flood("flood_faults", F_FAULTS) +
           flood("flood_fork", F_FORK) + flood_server_apart();
}

int main(void)
{
    touch_image();
    return attack_twice("a_flood", "flood_no_leak", attack);
}
