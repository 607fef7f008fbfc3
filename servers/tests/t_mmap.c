/* mmap + mprotect: a read-only mapping refuses writes until mprotect. */
#include "../utest/utest.h"
#include <ipc/fault.h>

static int mmap_protect(void)
{
    const char *name = "mmap_mprotect";
    int64_t a = mmap(0, 4096, PROT_READ, 0);
    if (a < 0)
        return utest_fail(name, "mmap failed", (uint64_t)-a, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    if (*p != 0)
        return utest_fail(name, "fresh page not zero", *p, 0);
    int64_t pid = fork();
    if (pid == 0) {
        *p = 1;                               /* must be refused: the task is killed */
        exit(0);
    }
    int status = -1;
    wait_pid(pid, &status);
    if (status != (int)PG_STATUS_KILLED(FAULT_REASON_PROTECTION))
        return utest_fail(name, "write to PROT_READ not killed (status)", (uint64_t)status, 0);
    if (mprotect((uint64_t)a, 4096, PROT_READ | PROT_WRITE))
        return utest_fail(name, "mprotect failed", 0, 0);
    *p = 123;
    if (*p != 123)
        return utest_fail(name, "value did not stick", *p, 123);
    return utest_pass(name);
}

static int bad_requests(void)
{
    const char *name = "mmap_bad_arguments";
    struct { const char *what; int64_t got, want; } c[] = {
        { "zero length", mmap(0, 0, PROT_READ, 0), -PG_EINVAL },
        { "unknown prot", mmap(0, 4096, 0x40, 0), -PG_EINVAL },
        { "unknown flag", mmap(0, 4096, PROT_READ, 0x4000), -PG_EINVAL },
        { "fixed unaligned", mmap(0x400010, 4096, PROT_READ, MAP_FIXED), -PG_EINVAL },
        { "fixed in the kernel half", mmap(0xffff800000000000ull, 4096, PROT_READ, MAP_FIXED),
          -PG_EINVAL },
        { "mprotect a hole", mprotect(0x7000000000ull, 4096, PROT_READ), -PG_EINVAL },
        { "munmap unaligned", munmap(0x400001, 4096), -PG_EINVAL },
        { "huge", mmap(0, 1ull << 41, PROT_READ, 0), -PG_EINVAL },
        { "more than memory", mmap(0, 1ull << 39, PROT_READ, 0), -PG_ENOMEM },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i].got != c[i].want) {
            printf("TEST %s fail %s: got %ld, expected %ld\n", name, c[i].what, c[i].got,
                   c[i].want);
            return 1;
        }
    return utest_pass(name);
}

int main(void)
{
    return mmap_protect() + bad_requests();
}
