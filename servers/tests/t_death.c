/*
 * Deaths the pager must hear of: a process whose last thread calls
 * SYS_EXIT itself (not the pager's exit) is reclaimed through the kernel's
 * death notice, and its waiting parent gets the status; and nobody can
 * forge the kernel's messages (faults, death notices) to the pager.
 */
#include "../utest/utest.h"
#include <ipc/fault.h>

static volatile uint64_t second_done;

/* A second thread: exits directly after the first one did. */
static void second(uint64_t status)
{
    while (!second_done)
        sys_yield();
    sys_exit(status);
}

/* A child whose last thread exits by SYS_EXIT: alone, or after another. */
static int run_child(int threads, int *status)
{
    int64_t pid = fork();
    if (pid == 0) {
        if (threads == 2) {
            int64_t stack = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, 0);
            handle_t t;
            if (stack < 0 || sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)second,
                                               (uint64_t)stack + 4 * 4096 - 8, 10, 9, &t) ||
                sys_thread_start(t))
                sys_exit(100);
            second_done = 1;
            sys_exit(5);                  /* not the last: its status is not the task's */
        }
        sys_exit(7);
    }
    return pid > 0 && wait_pid(pid, status) == pid ? 0 : -1;
}

static int exit_direct(void)
{
    const char *name = "death_notice_exit_direct";
    struct pager_stats before, after;
    int status = -1;
    if (run_child(1, &status))               /* warm up: the pager's tables grow once */
        return utest_fail(name, "first child failed", 0, 0);
    utest_pager_stats(&before);
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS), mappings = sys_kernel_info(KINFO_MAPPINGS);
    for (int i = 0; i < 20; i++) {
        status = -1;
        if (run_child(1, &status) || status != 7)
            return utest_fail(name, "wait gave", (uint64_t)status, 7);
    }
    utest_pager_stats(&after);
    if (after.processes != before.processes || after.frames_free != before.frames_free)
        return utest_fail(name, "processes / frames not reclaimed", after.processes,
                          after.frames_free - before.frames_free);
    if (sys_kernel_info(KINFO_OBJECTS) != objects || sys_kernel_info(KINFO_MAPPINGS) != mappings)
        return utest_fail(name, "kernel objects / mappings", sys_kernel_info(KINFO_OBJECTS),
                          objects);
    return utest_pass(name);
}

static int last_thread_status(void)
{
    const char *name = "death_notice_last_thread_status";
    int status = -1;
    if (run_child(2, &status) || status != 9)
        return utest_fail(name, "wait gave", (uint64_t)status, 9);
    return utest_pass(name);
}

static int forged(void)
{
    const char *name = "kernel_messages_not_forged";
    struct ipc_msg m = { .tag = FAULT_PAGE, .w = { 0x1000000, 0, 0x400000, 14 } };
    struct ipc_status st = sys_call(PAGER_HANDLE, &m);
    if (st.status || m.w[0] != PG_EINVAL || m.w[1] || m.w[2] || (m.tag & TAG_MAP))
        return utest_fail(name, "a forged fault got an answer", m.w[0], m.w[1]);
    m = (struct ipc_msg){ .tag = FAULT_PAGE | TAG_KERNEL, .w = { 0x1000000, 0, 0, 14 } };
    if (sys_call(PAGER_HANDLE, &m).status != IPC_EINVAL)
        return utest_fail(name, "a send with TAG_KERNEL was taken", 0, 0);
    m = (struct ipc_msg){ .tag = DEATH_NOTICE, .w = { DEATH_EXITED, 0, 0, 0 } };
    st = sys_call(PAGER_HANDLE, &m);
    if (st.status || m.w[0] != PG_EINVAL)
        return utest_fail(name, "a forged death notice was not refused", st.status, m.w[0]);
    if (getpid() <= 0)
        return utest_fail(name, "the forged notice ended us", 0, 0);
    return utest_pass(name);
}

int main(void)
{
    int failed = exit_direct();
    failed += last_thread_status();
    failed += forged();
    return failed;
}
