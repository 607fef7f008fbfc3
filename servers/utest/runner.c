/*
 * utest: the test runner, started by the pager as init ("init=utest.elf").
 * It runs one suite of test programs ("utest.suite=NAME" on the command
 * line: isolation, smp, smp_attacks), one after the other, each in its own
 * process, and checks that each exits with 0. A program of the suite that
 * is not on the ESP is a failure: a case that forgot a module must not
 * pass by running less. It exits with the number of failures, which ends
 * the run; each case file also checks the count ("utest: N programs").
 */
#include "utest.h"
#include <ipc/rootinfo.h>
#include <ipc/ulib.h>

/* The module list is not ours to read (only the pager sees root info), so
 * the runner carries the names: test/qemu/cases/isolation_tests.sh's
 * attack programs. (The pager's test programs, servers/tests, run under
 * the conformance suite: servers/conformance/programs.c.) */
static const char *const isolation_suite[] = {
    "a_alias.elf", "a_chain.elf", "a_rights.elf", "a_forkbomb.elf", "a_kmem.elf",
    "a_flood.elf", "a_lifetimes.elf", 0,
};

/* The SMP stress test (test/qemu/cases/smp_stress*.sh): a pager test
 * program, run apart from the conformance suite on several CPUs. */
static const char *const smp_suite[] = { "t_smp.elf", 0 };
/* The SMP attacks (test/qemu/cases/smp_attacks.sh), kept out of the
 * isolation suite: they want several CPUs. */
static const char *const smp_attacks_suite[] = { "a_smp.elf", 0 };

static const struct { const char *name; const char *const *programs; } suites[] = {
    { "isolation", isolation_suite },
    { "smp", smp_suite },
    { "smp_attacks", smp_attacks_suite },
};

int main(void)
{
    char which[24] = "";
    getenv_cmdline("utest.suite", which, sizeof(which));
    const char *const *programs = 0;
    for (unsigned i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        if (!strcmp(suites[i].name, which))
            programs = suites[i].programs;
    if (!programs) {
        printf("TEST utest fail no such suite '%s' (utest.suite=isolation, smp or smp_attacks)\n", which);
        return 1;
    }
    int failed = 0, ran = 0;
    for (unsigned i = 0; programs[i]; i++) {
        int64_t pid = spawn(programs[i]);
        if (pid < 0) {
            printf("TEST %s fail cannot spawn (%ld%s)\n", programs[i], -pid,
                   pid == -PG_ENOENT ? ": not on the ESP" : "");
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
    utest_pager_stats(&s);
    printf("utest: %d programs, %d failed; %lu processes left, %lu frames free\n", ran, failed,
           s.processes, s.frames_free);
    return failed;
}
