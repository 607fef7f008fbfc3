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

/* Churn well inside the quota: a count that munmap, mprotect or a fixed
 * remap got wrong would grow and kill it. */
static int churn(uint64_t quota)
{
    uint64_t pages = quota / 4;
    int64_t a = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, 0);
    for (int round = 0; a >= 0 && round < 20; round++) {
        for (uint64_t i = 0; i < pages; i++)
            ((volatile uint8_t *)a)[i * 4096] = 1;
        if (mprotect((uint64_t)a, pages * 4096, PROT_READ) ||
            mprotect((uint64_t)a, pages * 4096, PROT_READ | PROT_WRITE))
            return 4;
        ((volatile uint8_t *)a)[0] = 2;           /* mapped again, not counted again */
        if (mmap((uint64_t)a, pages * 4096, PROT_READ | PROT_WRITE, MAP_FIXED) != a)
            return 5;
        ((volatile uint8_t *)a)[4096] = 3;
        if (munmap((uint64_t)a, pages * 4096))
            return 6;
        a = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, 0);
    }
    return a < 0 ? 7 : 3;
}

/* One-page mmaps, never touched, until the quota (their region nodes)
 * refuses one: PG_ELIMIT, and the process lives on. */
static int regions(uint64_t quota)
{
    int64_t a = 0;
    for (uint64_t i = 0; i < 4 * quota && a >= 0; i++)
        a = mmap(0, 4096, PROT_READ, 0);
    return a == -(int64_t)PG_ELIMIT ? 3 : 8;
}

/* A child: touches `pages` new pages (spread: 1 GiB apart, each with
 * tracking tables of its own), then exits 3. Spread, it touches half the
 * quota's pages, which with its image stay below the quota: only its
 * tables, counted too, take it past. Then it is killed at a touch, or,
 * when the count stands exactly at the quota after one, its next mmap is
 * refused (PG_ELIMIT), which it reports as 4. */
static int child(uint64_t pages, int spread)
{
    if (spread) {
        for (uint64_t i = 0; i < pages; i++) {
            int64_t a = mmap(0x200000000000ull + (i << 30), 4096, PROT_READ | PROT_WRITE, MAP_FIXED);
            if (a < 0)
                return a == -(int64_t)PG_ELIMIT ? 4 : 2;
            *(volatile uint8_t *)a = 1;
        }
        return 3;
    }
    int64_t a = mmap(0, pages * 4096, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 2;
    for (uint64_t i = 0; i < pages; i++)
        ((volatile uint8_t *)a)[i * 4096] = 1;
    return 3;
}

/* Spawns a child and wants it to end with `want` (or `also`, if not -1). */
static int run_either(const char *name, const char *key, int want, int also)
{
    uint64_t before = utest_frames_free();
    int64_t pid = spawn(key);
    int status = -1;
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return utest_fail(name, "spawn or wait failed", (uint64_t)pid, 0);
    if (status != want && status != also)
        return utest_fail(name, "exit status", (uint64_t)status, (uint64_t)want);
    if (utest_frames_free() != before)
        return utest_fail(name, "frames not back", before, utest_frames_free());
    return utest_pass(name);
}

static int run(const char *name, const char *key, int want)
{
    return run_either(name, key, want, -1);
}

int main(void)
{
    uint64_t quota = getenv_number("quota.pages", 0);
    if (!quota)
        return utest_fail("quota", "no quota.pages= on the command line", 0, 0);
    if (parent_pid()) {
        /* Children in the order main spawns them (pids 2, 3, ...): over
         * the quota, well below it (its image and stack take a few pages
         * too), churning, many regions, pages spread out. */
        switch (getpid()) {
        case 2: return child(quota + 1, 0);
        case 3: return child(quota / 2, 0);
        case 4: return churn(quota);
        case 5: return regions(quota);
        default: return child(quota / 2, 1);   /* only its tables pass the quota */
        }
    }
    int killed = (int)PG_STATUS_KILLED(FAULT_REASON_OUT_OF_MEMORY);
    int failed = run("quota_over_killed", "t_quota.elf", killed);
    failed += run("quota_below_runs", "t_quota.elf", 3);
    failed += run("quota_churn_counted_right", "t_quota.elf", 3);
    failed += run("quota_regions_refused", "t_quota.elf", 3);
    failed += run_either("quota_spread_tables_killed", "t_quota.elf", killed, 4);
    return failed;
}
