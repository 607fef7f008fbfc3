/*
 * Stacked pagers (docs/writing-a-pager.md): under the default pager, a
 * libpager pager runs as an ordinary process and serves a family of its
 * own (s_family: its children fault, fork or spawn, and exit). When the
 * stacked pager is killed, or exits while its family still runs, its
 * children die with it, and every frame, process, kernel object and
 * mapping is back exactly: the frames it served its family with were ours
 * all along, lent through one mmap.
 *
 * argument (stacked.pagers=): the pagers to stack, by module name; each
 * is run twice, killed and exiting.
 */
#include "../utest/utest.h"
#include <ipc/ulib.h>

struct counts { uint64_t frames, processes, objects, mappings, kmem; };

static struct counts take(void)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    return (struct counts){ s.frames_free, s.processes, sys_kernel_info(KINFO_OBJECTS),
                            sys_kernel_info(KINFO_MAPPINGS), sys_kernel_info(KINFO_KMEM_USED) };
}

/* A run that failed half-way: its stacked pager (and with it its family)
 * goes, so that the next run starts clean. */
static int give_up(const char *name, const char *why, uint64_t a, uint64_t b, int64_t pid,
                   handle_t ep)
{
    if (pid > 0 && !kill_child(pid))
        wait_pid(pid, 0);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    return utest_fail(name, why, a, b);
}

/* One stacked run: 0, or the line is printed and 1 returned. */
static int run(const char *pager, int exits)
{
    char name[64];
    snprintf(name, sizeof(name), "%sstacked_%s_%s", exits < 0 ? "warm_up_" : "", pager,
             exits > 0 ? "exits" : "killed");
    struct counts before = take();
    handle_t ep;
    if (sys_endpoint_create(&ep))
        return utest_fail(name, "no endpoint", 0, 0);
    char module[32];
    snprintf(module, sizeof(module), "%s.elf", pager);
    int64_t pid = spawn_with(module, ep);
    struct ipc_msg m = { 0 };
    struct ipc_status st = { IPC_EINVAL, 0 };
    if (pid > 0)
        st = sys_recv(ep, &m);        /* its init reports, its family up */
    if (pid <= 0 || st.status || m.w[0] != 42)
        return give_up(name, "the stacked family did not come up", (uint64_t)pid, m.w[0], pid, ep);
    struct pager_stats mid;
    utest_pager_stats(&mid);
    if (mid.frames_free >= before.frames)
        return give_up(name, "the stacked pager took no frames", mid.frames_free, before.frames,
                       pid, ep);
    m = (struct ipc_msg){ .tag = 0, .w = { exits > 0 ? 1u : 0u } };
    sys_reply(&m);
    int status = -1, want = exits > 0 ? 5 : (int)PG_STATUS_KILLED(FAULT_REASON_NONE);
    if (exits <= 0 && kill_child(pid))
        return give_up(name, "kill refused", (uint64_t)pid, 0, pid, ep);
    if (wait_pid(pid, &status) != pid || status != want)
        return give_up(name, "wait gave", (uint64_t)status, (uint64_t)want, pid, ep);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    struct counts after = take();
    if (after.frames != before.frames || after.processes != before.processes)
        return utest_fail(name, "frames / processes not back", before.frames - after.frames,
                          after.processes);
    if (after.objects != before.objects || after.mappings != before.mappings)
        return utest_fail(name, "kernel objects / mappings not back", after.objects - before.objects,
                          after.mappings - before.mappings);
    if (after.kmem != before.kmem && exits >= 0)
        return utest_fail(name, "kernel memory not back", after.kmem, before.kmem);
    return utest_pass(name);
}

int main(void)
{
    char list[24];
    if (getenv_cmdline("stacked.pagers", list, sizeof(list)))
        return utest_fail("stacked", "no stacked.pagers= on the command line", 0, 0);
    /* A first run grows our own tables and our account's stocks (the pages
     * of this program a run touches, the endpoint it makes), which stay:
     * its kernel memory is not compared. */
    int failed = run("pager", -1), runs = 0;
    for (char *name = list, *end; *name; name = end) {
        for (end = name; *end && *end != ','; end++)
            ;
        if (*end)
            *end++ = 0;
        failed += run(name, 0) + run(name, 1);
        runs += 2;
    }
    printf("t_stacked: %d runs, %d failed\n", runs, failed);
    return failed;
}
