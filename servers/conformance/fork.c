/* PG_FORK as the protocol has it, without libipc's fork: the child's one
 * thread starts where we say with its pid in rdi, we get its pid, and it
 * sees our memory as it was, without its writes reaching us. */
#include "client.h"
#include "conformance.h"

static uint8_t child_stack[4 * PAGE] __attribute__((aligned(16)));
static volatile int64_t parent_pid;
static volatile uint64_t before_fork;

/* The child's thread: exits 42 when all is as promised, else says what
 * was not (1..4). */
static void __attribute__((noreturn)) forked(uint64_t pid)
{
    struct ipc_msg m;
    int status = 42;
    if (pager_call(PG_GETPID, 0, 0, 0, 0, &m))
        status = 1;
    else if (m.w[1] != pid)
        status = 2;
    else if ((int64_t)m.w[2] != parent_pid)
        status = 3;
    else if (before_fork != 1234)
        status = 4;
    before_fork = 5678;
    exit(status);
}

static struct outcome fork_protocol(void)
{
    parent_pid = getpid();
    before_fork = 1234;
    struct ipc_msg m;
    /* At a function's entry rsp + 8 is 16-aligned (as after a call). */
    uint64_t rsp = (uint64_t)child_stack + sizeof(child_stack) - 8;
    int64_t r = pager_call(PG_FORK, (uint64_t)forked, rsp, 0, 0, &m);
    if (r)
        return fail("PG_FORK failed", r, 0);
    int64_t pid = (int64_t)m.w[1];
    if (pid <= 0 || pid == parent_pid)
        return fail("PG_FORK gave no new pid (pid, ours)", pid, parent_pid);
    int status = -1;
    if ((r = wait_pid(pid, &status)) != pid)
        return fail("wait for the forked child", r, pid);
    if (status != 42)
        return fail("child status (1 getpid failed, 2 rdi not its pid, 3 wrong parent, "
                    "4 our memory not seen)", status, 42);
    if (before_fork != 1234)
        return fail("the child's write reached us", (int64_t)before_fork, 1234);
    return pass();
}

const struct conf_test fork_tests[] = {
    { "fork_protocol", PG_FEATURE_FORK, fork_protocol },
    { 0, 0, 0 },
};
