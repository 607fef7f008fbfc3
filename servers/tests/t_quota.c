/*
 * quotapager's resident quota (quota.pages=N, test/qemu/cases/
 * quotapager_quota.sh). Run as init it spawns itself twice: a child that
 * touches more pages than the quota is killed (out of memory) at the
 * touch that would pass it, one that stays below exits cleanly; every
 * frame is back after each.
 */
#include "../utest/utest.h"

/* Our parent's pid (PG_GETPID's w2): 0 for init. */
static uint64_t parent_pid(void)
{
    struct ipc_msg m = { .tag = PG_GETPID };
    return sys_call(PAGER_HANDLE, &m).status ? 0 : m.w[2];
}

/* A child: touches `pages` new pages, then exits 3. */
static int child(uint64_t pages)
{
    int64_t a = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 2;
    for (uint64_t i = 0; i < pages; i++)
        ((volatile uint8_t *)a)[i * 4096] = 1;
    return 3;
}

static int run(const char *name, const char *key, int want)
{
    uint64_t before = utest_frames_free();
    int64_t pid = spawn(key);
    int status = -1;
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return utest_fail(name, "spawn or wait failed", (uint64_t)pid, 0);
    if (status != want)
        return utest_fail(name, "exit status", (uint64_t)status, (uint64_t)want);
    if (utest_frames_free() != before)
        return utest_fail(name, "frames not back", before, utest_frames_free());
    return utest_pass(name);
}

int main(void)
{
    char q[24];
    uint64_t quota = 0;
    if (!getenv_cmdline("quota.pages", q, sizeof(q)))
        for (const char *c = q; *c >= '0' && *c <= '9'; c++)
            quota = quota * 10 + (uint64_t)(*c - '0');
    if (!quota)
        return utest_fail("quota", "no quota.pages= on the command line", 0, 0);
    if (parent_pid()) {
        /* The first child (pid 2) goes over, the second stays well below
         * (its image and stack take a few pages of the quota too). */
        return child(getpid() == 2 ? quota + 1 : quota / 2);
    }
    int failed = run("quota_over_killed", "t_quota.elf", (int)PG_STATUS_KILLED(FAULT_REASON_OUT_OF_MEMORY));
    failed += run("quota_below_runs", "t_quota.elf", 3);
    return failed;
}
