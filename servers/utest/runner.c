/*
 * utest: the test runner, started by the pager as init ("init=utest.elf").
 * It runs the test programs of its list that are on the ESP, one after
 * the other, each in its own process, and checks that each exits with 0.
 * It exits with the number of failures, which ends the run; each case
 * file checks the count of programs that ran ("utest: N programs").
 */
#include "utest.h"
#include <ipc/rootinfo.h>

/* The module list is not ours to read (only the pager sees root info), so
 * the runner carries the names; one the pager cannot find is skipped. */
static const char *const programs[] = {
    "t_fork.elf", "t_mmap.elf", "t_zero.elf", "t_refcount.elf", "t_exhaust.elf", "t_leak.elf",
    "t_death.elf", "t_hostile.elf",
    /* The isolation suite's attack programs (test/qemu/cases/isolation_tests.sh). */
    "a_alias.elf", "a_chain.elf", "a_rights.elf", "a_forkbomb.elf", "a_kmem.elf",
    "a_flood.elf",
};

int main(void)
{
    int failed = 0, ran = 0;
    for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        int64_t pid = spawn(programs[i]);
        if (pid == -PG_ENOENT)
            continue;                         /* not on this ESP: not selected */
        if (pid < 0) {
            printf("TEST %s fail cannot spawn (%ld)\n", programs[i], -pid);
            failed++;
            continue;
        }
        int status = -1;
        int64_t got = wait_pid(pid, &status);
        ran++;
        if (got != pid || status != 0) {
            printf("TEST %s fail exit status %d\n", programs[i], status);
            failed++;
        }
    }
    struct pager_stats s;
    pager_stats(&s);
    printf("utest: %d programs, %d failed; %lu processes left, %lu frames free\n", ran, failed,
           s.processes, s.frames_free);
    return failed;
}
