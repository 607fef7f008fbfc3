/* The default pager's test programs (servers/tests/t_*.c), run as they
 * are under any pager that forks: each prints its own TEST lines and
 * exits 0 when they all passed. What each needs beyond fork: */
#include "conformance.h"

#define FORK PG_FEATURE_FORK
const struct conf_program fork_programs[] = {
    /* fork_cow counts one copy at the child's first write: copy-on-write. */
    { "t_fork", "t_fork.elf", FORK | PG_FEATURE_LAZY },
    /* mmap of 512 GiB must fail with PG_ENOMEM: a commit limit. */
    { "t_mmap", "t_mmap.elf", FORK | PG_FEATURE_COMMIT },
    { "t_zero", "t_zero.elf", FORK },
    /* A write after the child left must be a COW fault without a copy. */
    { "t_refcount", "t_refcount.elf", FORK | PG_FEATURE_LAZY },
    /* mmap and fork until PG_ENOMEM, touching every page: a commit limit. */
    { "t_exhaust", "t_exhaust.elf", FORK | PG_FEATURE_COMMIT },
    { "t_leak", "t_leak.elf", FORK },
    { "t_death", "t_death.elf", FORK },
    { "t_hostile", "t_hostile.elf", FORK },
    { 0, 0, 0 },
};

struct outcome run_program(const char *module)
{
    int64_t pid = spawn(module), err = pid;
    int status = -1;
    if (pid > 0)
        err = wait_pid(pid, &status) == pid ? 0 : -1;
    if (err)
        return fail(err == -PG_ENOENT ? "not on the ESP" : "spawn or wait failed", err, 0);
    return status ? fail("exit status", status, 0) : pass();
}
