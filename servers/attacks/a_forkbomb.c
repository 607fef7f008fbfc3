/*
 * a_forkbomb: the pager's per-process limits against a process that wants
 * every slot and all memory.
 *   fork_limit: one process gets PG_ELIMIT past pager.max_children live
 *     children, and can fork again once one has gone.
 *   commit_limit: one process cannot commit more than pager.max_mib
 *     (default half of what the pager can promise): PG_ELIMIT, and the
 *     rest of the system can still fork.
 *   zombie_limit: children that exit and are never waited for count
 *     against pager.max_children too: fork says PG_ELIMIT instead of the
 *     zombies filling the process table for everyone; waiting frees them.
 *   fork_bomb_reclaimed: a child that forks recursively (every process as
 *     many children as it may, all of them blocking) takes as many slots
 *     as it can; when it ends, its whole tree goes with it, so the slots,
 *     frames and kernel objects all come back and spawning works again.
 * After each, with the attacker gone, a canary (attack.h) must fork, fault
 * and exit with exact counts.
 */
#include "attack.h"
#include "../utest/utest.h"

#define MAX_KIDS 256

static int64_t kids[MAX_KIDS];

static uint64_t live_processes(void)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    return s.processes;
}

/* Forks until the pager says no; the children block. Returns how many. */
static unsigned fork_all(int64_t *last)
{
    unsigned n = 0;
    while (n < MAX_KIDS && (*last = fork()) > 0)
        kids[n++] = *last;
    if (*last == 0)
        utest_block();
    return n;
}

static int fork_limit(void)
{
    const char *name = "fork_limit";
    int64_t last;
    unsigned n = fork_all(&last);
    int ok = last == -PG_ELIMIT && n >= 8 && n < MAX_KIDS;
    int status;
    kill_child(kids[0]);
    wait_pid(kids[0], &status);
    int64_t again = fork();                  /* a slot of ours came back */
    if (again == 0)
        exit(0);
    int again_ok = again > 0 && wait_pid(again, &status) == again;
    for (unsigned i = 1; i < n; i++) {
        kill_child(kids[i]);
        wait_pid(kids[i], &status);
    }
    printf("a_forkbomb: %u live children, then fork failed with %ld\n", n, -last);
    if (!ok)
        return utest_fail(name, "no PG_ELIMIT at the children limit", n, (uint64_t)-last);
    if (!again_ok)
        return utest_fail(name, "no fork after a child went", (uint64_t)-again, 0);
    return canary_process(name) ? 1 : utest_pass(name);
}

static int commit_limit(void)
{
    const char *name = "commit_limit";
    uint64_t total = 0;
    int64_t a, got[64];
    unsigned n = 0;
    while (n < 64 && (a = mmap(0, 16ull << 20, PROT_READ | PROT_WRITE, 0)) > 0) {
        got[n++] = a;
        total += 16;
    }
    int64_t pid = fork();                    /* the system still has memory */
    if (pid == 0)
        exit(0);
    int status, forked = pid > 0 && wait_pid(pid, &status) == pid;
    for (unsigned i = 0; i < n; i++)
        munmap((uint64_t)got[i], 16ull << 20);
    printf("a_forkbomb: %lu MiB committed, then mmap failed with %ld\n", total, -a);
    if (a != -PG_ELIMIT || n == 64)
        return utest_fail(name, "no PG_ELIMIT at the commit limit", total, (uint64_t)-a);
    if (!forked)
        return utest_fail(name, "nobody else could fork", (uint64_t)-pid, 0);
    return canary_process(name) ? 1 : utest_pass(name);
}

/* Every process of the tree forks as many as it may, then blocks. */
static void bomb(int depth)
{
    for (int64_t pid; depth > 0 && (pid = fork()) >= 0;) {
        if (pid == 0) {
            depth--;
            continue;                        /* the child goes on forking */
        }
    }
    utest_block();
}

static int fork_bomb_reclaimed(void)
{
    const char *name = "fork_bomb_reclaimed";
    struct pager_stats before, after;
    utest_pager_stats(&before);
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS), mappings = sys_kernel_info(KINFO_MAPPINGS);
    int64_t top = fork();
    if (top == 0)
        bomb(8);
    /* Let it grow: 200 turns, and (its processes may run on other CPUs,
     * where our turns give them nothing) until it is 20 bigger or 10 s
     * pass (4 virtual CPUs on a loaded 2-core host took more than 2). */
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (int i = 0; i < 200 || (live_processes() < before.processes + 20 &&
                                sys_kernel_info(KINFO_TICKS) - t0 < 1000); i++)
        sys_yield();
    uint64_t peak = live_processes();
    int status;
    kill_child(top);
    wait_pid(top, &status);
    utest_pager_stats(&after);
    int64_t pid = fork();                    /* spawning works again */
    if (pid == 0)
        exit(0);
    int forked = pid > 0 && wait_pid(pid, &status) == pid;
    printf("a_forkbomb: the bomb had %lu processes; after it: %lu (before %lu)\n", peak,
           after.processes, before.processes);
    if (peak < before.processes + 20)
        return utest_fail(name, "the bomb did not grow", peak, before.processes);
    if (after.processes != before.processes || after.frames_free != before.frames_free)
        return utest_fail(name, "slots or frames not back", after.processes,
                          after.frames_free - before.frames_free);
    if (sys_kernel_info(KINFO_OBJECTS) != objects || sys_kernel_info(KINFO_MAPPINGS) != mappings)
        return utest_fail(name, "kernel objects or mappings not back",
                          sys_kernel_info(KINFO_OBJECTS), objects);
    if (!forked)
        return utest_fail(name, "no fork after the bomb", (uint64_t)-pid, 0);
    return canary_process(name) ? 1 : utest_pass(name);
}

static int zombie_limit(void)
{
    const char *name = "zombie_limit";
    unsigned n = 0;
    int64_t pid;
    uint64_t live = live_processes();
    while (n < MAX_KIDS && (pid = fork()) > 0) {
        n++;
        /* Until it has exited: a zombie now, no longer a live child. */
        for (unsigned i = 0; i < 100000 && live_processes() != live; i++)
            sys_yield();
    }
    if (pid == 0)
        exit(5);                             /* a zombie until we wait */
    int status, reaped = 0;
    while (wait_pid(0, &status) > 0)
        reaped += status == 5;
    printf("a_forkbomb: %u children exited unwaited, then fork failed with %ld\n", n, -pid);
    if (pid != -PG_ELIMIT || n == 0 || n >= MAX_KIDS)
        return utest_fail(name, "no PG_ELIMIT at the children limit (zombies)", n, (uint64_t)-pid);
    if (reaped != (int)n)
        return utest_fail(name, "zombies not all reaped with their status", (uint64_t)reaped, n);
    return canary_process(name) ? 1 : utest_pass(name);
}

int main(void)
{
    int failed = fork_limit();
    failed += zombie_limit();
    failed += commit_limit();
    failed += fork_bomb_reclaimed();
    return failed;
}
