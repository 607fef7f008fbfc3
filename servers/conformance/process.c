/* Processes: spawn, exit, wait, kill and the gift of PG_SPAWN, with the
 * child of child.c. */
#include "conformance.h"

#define KILLED_BY_KILL ((int)PG_STATUS_KILLED(FAULT_REASON_NONE))
#define NO_CHILD (-(int64_t)PG_ECHILD)
#define NOBODY 123456               /* a pid no test makes */

static void endpoint_drop(handle_t ep)
{
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

int64_t spawn_child(enum child_behaviour what, handle_t *keep)
{
    handle_t ep;
    if (sys_endpoint_create(&ep))
        return -(int64_t)PG_ENOMEM;
    int64_t pid = spawn_with(CHILD_MODULE, ep);
    if (pid > 0) {
        /* Its question, then our answer. (A child that dies before it
         * asks leaves us waiting here: the case's timeout says so.) */
        struct ipc_msg m;
        struct ipc_status st = sys_recv(ep, &m);
        int asked = !st.status && tag_label(m.tag) == CHILD_ASK;
        m = (struct ipc_msg){ .tag = 0, .w = { what } };
        sys_reply(&m);
        if (!asked) {
            kill_child(pid);
            wait_pid(pid, 0);
            pid = -(int64_t)PG_EINVAL;
        }
    }
    if (keep && pid > 0)
        *keep = ep;
    else
        endpoint_drop(ep);
    return pid;
}

int spawn_wait(enum child_behaviour what, int64_t *err)
{
    int64_t pid = spawn_child(what, 0);
    int status = -1;
    *err = pid;
    if (pid < 0)
        return -1;
    int64_t got = wait_pid(pid, &status);
    *err = got < 0 ? got : 0;
    return got == pid ? status : -1;
}

/* The child checks its own image and stack, then exits with 7; it waits
 * first, so our wait is kept and answered by its exit. */
static struct outcome spawn_exit(void)
{
    int64_t err;
    int status = spawn_wait(CHILD_EXIT, &err);
    if (status < 0)
        return fail("spawn or wait failed", err, 0);
    return status == CHILD_EXIT_STATUS
               ? pass()
               : fail("exit status (1 data, 2 bss, 3 stack wrong)", status, CHILD_EXIT_STATUS);
}

/* A system call's buffer in a page the child never touched: libipc's
 * debug_write faults it in first (docs/writing-a-pager.md, section 9). */
static struct outcome print_untouched(void)
{
    int64_t err;
    int status = spawn_wait(CHILD_PRINT_UNTOUCHED, &err);
    if (status < 0)
        return fail("spawn or wait failed", err, 0);
    return status == CHILD_EXIT_STATUS ? pass()
                                       : fail("debug_write refused (status)", status,
                                              CHILD_EXIT_STATUS);
}

static struct outcome getenv_init(void)
{
    char v[24];
    int err = getenv_cmdline("init", v, sizeof(v));
    if (err)
        return fail("init= not found", err, 0);
    /* Under a root pager we are init; a stacked one may name its own. */
    if (!(features & PG_FEATURE_STACKED) && strcmp(v, "conformance.elf"))
        return fail("init= is not conformance.elf (its length, 15)", (int64_t)strlen(v), 15);
    return v[0] ? pass() : fail("init= is empty", 0, 0);
}

/* kill ends a child; wait reports 0x80; a second kill finds no child. */
static struct outcome kill_child_test(void)
{
    int64_t pid = spawn_child(CHILD_BLOCK, 0), r;
    int status = -1;
    if (pid < 0)
        return fail("spawn failed", pid, 0);
    if ((r = kill_child(pid)))
        return fail("kill of a child failed", r, 0);
    if ((r = wait_pid(pid, &status)) != pid)
        return fail("wait after kill", r, pid);
    if (status != KILLED_BY_KILL)
        return fail("status of a killed child", status, KILLED_BY_KILL);
    r = kill_child(pid);
    return r == NO_CHILD ? pass() : fail("kill of a child already reaped", r, NO_CHILD);
}

/* Only children can be killed: not ourselves, not a stranger. */
static struct outcome kill_non_child(void)
{
    int64_t r;
    if ((r = kill_child(NOBODY)) != NO_CHILD)
        return fail("kill of a pid nobody has", r, NO_CHILD);
    if ((r = kill_child(getpid())) != NO_CHILD)
        return fail("kill of ourselves", r, NO_CHILD);
    if ((r = kill_child(0)) != NO_CHILD)
        return fail("kill of pid 0", r, NO_CHILD);
    return pass();
}

/* A child that has exited already (a zombie) is reported at once. */
static struct outcome wait_zombie(void)
{
    uint64_t live = stats().processes;
    int64_t pid = spawn_child(CHILD_EXIT, 0), r;
    int status = -1;
    if (pid < 0)
        return fail("spawn failed", pid, 0);
    for (unsigned spins = 0; stats().processes > live; spins++) {
        if (spins == 1000000)
            return fail("the child never exited", pid, 0);
        sys_yield();
    }
    if ((r = wait_pid(pid, &status)) != pid || status != CHILD_EXIT_STATUS)
        return fail("zombie not reported (pid, status)", r, status);
    r = wait_pid(pid, 0);
    return r == NO_CHILD ? pass() : fail("second wait for a reaped child", r, NO_CHILD);
}

/* wait(0) takes whichever child ends, each once, then says NO_CHILD. */
static struct outcome wait_any(void)
{
    int64_t a = spawn_child(CHILD_EXIT, 0), b = spawn_child(CHILD_WILD, 0);
    if (a < 0 || b < 0)
        return fail("spawn failed", a, b);
    int want_a = CHILD_EXIT_STATUS, want_b = (int)PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS);
    int seen_a = 0, seen_b = 0;
    for (int i = 0; i < 2; i++) {
        int status = -1;
        int64_t r = wait_pid(0, &status);
        if (r == a && status == want_a)
            seen_a++;
        else if (r == b && status == want_b)
            seen_b++;
        else
            return fail("wait for any child gave (pid, status)", r, status);
    }
    if (seen_a != 1 || seen_b != 1)
        return fail("a child reported twice (first, second)", seen_a, seen_b);
    int64_t r = wait_pid(0, 0);
    return r == NO_CHILD ? pass() : fail("wait for any child with none left", r, NO_CHILD);
}

static struct outcome wait_non_child(void)
{
    int64_t r;
    if ((r = wait_pid(NOBODY, 0)) != NO_CHILD)
        return fail("wait for a pid nobody has", r, NO_CHILD);
    if ((r = wait_pid(getpid(), 0)) != NO_CHILD)
        return fail("wait for ourselves", r, NO_CHILD);
    if ((r = wait_pid(0, 0)) != NO_CHILD)
        return fail("wait for any child without children", r, NO_CHILD);
    return pass();
}

/* The gift of spawn_with (the endpoint every child asks on) works from
 * another thread too: the child's second thread (made in its own space
 * through SELF_SPACE_HANDLE) sends 42 on it; then we kill the child, both
 * threads. */
static struct outcome gift_and_thread(void)
{
    handle_t ep = 0;
    struct ipc_msg m = { 0 };
    int64_t pid = spawn_child(CHILD_THREAD, &ep);
    struct ipc_status st = { IPC_EINVAL, 0 };
    if (pid > 0)
        st = sys_recv(ep, &m);
    int status = -1;
    int64_t killed = pid > 0 ? kill_child(pid) : 0, waited = pid > 0 ? wait_pid(pid, &status) : 0;
    if (ep)
        endpoint_drop(ep);
    if (pid < 0)
        return fail("spawn_with failed", pid, 0);
    if (st.status || m.w[0] != 42)
        return fail("no 42 from the child's thread (status, word)", (int64_t)st.status,
                    (int64_t)m.w[0]);
    if (killed || waited != pid)
        return fail("kill or wait failed", killed, waited);
    return status == KILLED_BY_KILL ? pass() : fail("status", status, KILLED_BY_KILL);
}

const struct conf_test process_tests[] = {
    { "getenv_init", 0, getenv_init },
    { "spawn_exit", 0, spawn_exit },
    { "print_untouched_buffer", 0, print_untouched },
    { "kill_child", 0, kill_child_test },
    { "kill_non_child", 0, kill_non_child },
    { "wait_zombie", 0, wait_zombie },
    { "wait_any", 0, wait_any },
    { "wait_non_child", 0, wait_non_child },
    { "gift_and_thread", 0, gift_and_thread },
    { 0, 0, 0 },
};
