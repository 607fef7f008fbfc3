/* fork and copy-on-write: the child's write to a shared page is its own. */
#include "../utest/utest.h"

#define PAGE_ADDR 0x400000ull

static int fork_cow(void)
{
    const char *name = "fork_cow";
    if (mmap(PAGE_ADDR, 4096, PROT_READ | PROT_WRITE, MAP_FIXED) != (int64_t)PAGE_ADDR)
        return utest_fail(name, "mmap at 0x400000 failed", 0, 0);
    volatile uint64_t *p = (volatile uint64_t *)PAGE_ADDR;
    *p = 7;
    int64_t pid = fork();
    if (pid < 0)
        return utest_fail(name, "fork failed", (uint64_t)-pid, 0);
    if (pid == 0) {
        struct pager_stats before, after;
        utest_pager_stats(&before);
        *p = 42;                              /* shared with the parent: copied */
        utest_pager_stats(&after);
        uint64_t copies = after.copies_performed - before.copies_performed;
        if (*p != 42)
            exit(10);
        exit(copies == 1 ? 0 : 20 + (int)copies);
    }
    int status = -1;
    if (wait_pid(pid, &status) != pid)
        return utest_fail(name, "wait failed", 0, 0);
    if (status != 0)
        return utest_fail(name, "child saw the wrong value or copy count (status)", (uint64_t)status, 0);
    if (*p != 7)
        return utest_fail(name, "parent's value changed", *p, 7);
    return utest_pass(name);
}

/* fork returns different pids, getpid agrees, the parent is known. */
static int fork_identity(void)
{
    const char *name = "fork_identity";
    int64_t me = getpid();
    int64_t pid = fork();
    if (pid == 0)
        exit(getpid() != me && getpid() > 0 ? 0 : 1);
    int status = -1;
    if (pid <= 0 || wait_pid(pid, &status) != pid || status != 0)
        return utest_fail(name, "child identity wrong", (uint64_t)pid, (uint64_t)status);
    if (wait_pid(0, &status) != -PG_ECHILD)
        return utest_fail(name, "wait with no children did not say ECHILD", 0, 0);
    return utest_pass(name);
}

int main(void)
{
    return fork_cow() + fork_identity();
}
