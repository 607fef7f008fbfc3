/* Demand-zero: fresh anonymous pages read zero; after munmap, access kills. */
#include "../utest/utest.h"
#include <ipc/fault.h>

#define PAGES 16

int main(void)
{
    const char *name = "demand_zero";
    struct pager_stats before, after;
    utest_pager_stats(&before);
    int64_t a = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return utest_fail(name, "mmap failed", (uint64_t)-a, 0);
    for (unsigned i = 0; i < PAGES; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(a + i * 4096 + 8 * i);
        if (*p != 0)
            return utest_fail(name, "page not zero", i, *p);
        *p = i + 1;
    }
    utest_pager_stats(&after);
    if (after.zero_fills - before.zero_fills < PAGES)
        return utest_fail(name, "fewer zero fills than pages", after.zero_fills - before.zero_fills, PAGES);
    if (munmap((uint64_t)a, PAGES * 4096))
        return utest_fail(name, "munmap failed", 0, 0);
    int64_t pid = fork();
    if (pid == 0) {
        volatile uint64_t *p = (volatile uint64_t *)a;
        (void)*p;                             /* unmapped: killed */
        exit(0);
    }
    int status = -1;
    wait_pid(pid, &status);
    if (status != (int)PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS))
        return utest_fail(name, "access after munmap not killed (status)", (uint64_t)status, 0);
    return utest_pass(name);
}
