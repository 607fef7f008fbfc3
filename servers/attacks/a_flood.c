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
 *
 * Each runs once alone first (the victim's share then, about 100%, is
 * printed) and then beside the flooder. A canary must work afterwards
 * with exact counts, and everything comes back (attack_twice).
 */
#include "attack.h"

#define WINDOW_TICKS 150                 /* 1.5 s at 100 Hz */
#define MIN_SHARE    40                  /* percent */
#define FLOOD_MIB    16

enum { F_NONE, F_MPROTECT, F_FAULTS, F_FORK };

static void __attribute__((noreturn)) flooder(int kind)
{
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

/* Spins for WINDOW_TICKS ticks; exits with its share of them in percent. */
static void __attribute__((noreturn)) victim(void)
{
    sys_yield();                             /* start on a fresh turn */
    uint64_t t0 = sys_kernel_info(KINFO_TICKS), mine0 = sys_kernel_info(KINFO_THREAD_TICKS);
    volatile uint64_t spins = 0;
    while (sys_kernel_info(KINFO_TICKS) - t0 < WINDOW_TICKS)
        for (int i = 0; i < 1000; i++)
            spins++;
    uint64_t window = sys_kernel_info(KINFO_TICKS) - t0;
    uint64_t mine = sys_kernel_info(KINFO_THREAD_TICKS) - mine0;
    exit((int)(mine * 100 / window));
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

static int flood(const char *name, int kind)
{
    int alone = share_beside(F_NONE), beside = share_beside(kind);
    if (round_no == 1)
        printf("a_flood: %s: the victim had %d%% of the CPU alone, %d%% beside the flooder\n",
               name, alone, beside);
    if (alone < 0 || beside < 0)
        return fail(name, "a run failed (alone %d, beside %d; -1: fork or wait, -2-s: the "
                    "flooder exited with s)", alone, beside);
    if (beside < MIN_SHARE)
        return fail(name, "the victim kept %d%% of the CPU (at least %d%% wanted)", beside,
                    MIN_SHARE);
    if (canary_process(name))
        return 1;
    return pass(name);
}

static int attack(void)
{
    return flood("flood_mprotect", F_MPROTECT) + flood("flood_faults", F_FAULTS) +
           flood("flood_fork", F_FORK);
}

int main(void)
{
    touch_image();
    return attack_twice("a_flood", "flood_no_leak", attack);
}
