/* Object life cycles: partners that die, endpoints destroyed under
 * waiters, and create/destroy cycles that must not leak. */
#include "ktest.h"

/* Calls ep[0] and reports the status the call ended with. */
static uint64_t caller(struct child_args *a)
{
    struct ipc_msg m = { .tag = 1 };
    struct ipc_status st = sys_call(a->ep[0], &m);
    child_report(a, st.status, 0);
    return 0;
}

/* Takes one call, tells ktest, then waits forever without replying: in a
 * send nobody receives (a receive would give the reply up: IPC_ECANCELED
 * for the caller, before ktest, on another CPU, kills us). */
static uint64_t silent_server(struct child_args *a)
{
    struct ipc_msg m = {0};
    sys_recv(a->ep[0], &m);
    child_report(a, 1, 0);
    sys_send(a->ep[1], &m);          /* nobody ever receives here */
    return 0;
}

static int server_dies(void)
{
    const char *name = "ipc_server_death_wakes_caller";
    handle_t ep, idle, report;
    struct child srv, cli;
    sys_endpoint_create(&ep);
    sys_endpoint_create(&idle);
    sys_endpoint_create(&report);
    if (child_spawn(&srv, silent_server, report, 0, 0, CHILD_PRIORITY) ||
        child_spawn(&cli, caller, report, 0, 0, CHILD_PRIORITY))
        return test_fail(name, "setup failed");
    srv.args->ep[0] = child_grant(&srv, ep, RIGHT_RECV, 0);
    srv.args->ep[1] = child_grant(&srv, idle, RIGHT_SEND, 0);
    cli.args->ep[0] = child_grant(&cli, ep, RIGHT_SEND, 0);
    sys_thread_start(srv.thread);
    sys_thread_start(cli.thread);
    uint64_t w0 = 0, w1;
    int got = serve(report, 0, &w0, &w1);       /* the server has the call */
    child_destroy(&srv);                         /* ...and dies owing a reply */
    uint64_t status = ~0ull;
    int got2 = serve(report, 0, &status, &w1);
    child_destroy(&cli);
    handle_t hs[] = { ep, idle, report };
    for (int i = 0; i < 3; i++) {
        sys_endpoint_destroy(hs[i]);
        sys_handle_close(hs[i]);
    }
    if (!got || w0 != 1)
        return test_fail(name, "the server never got the call");
    if (!got2 || status != IPC_EDEAD)
        return test_fail(name, "caller's call ended with %lu, expected IPC_EDEAD", status);
    return test_pass(name);
}

/* A child (at our priority) blocked in a call on ep, nobody receiving;
 * it reports its call's status on report. Returns 0, or a failure. */
static int blocked_caller(const char *name, handle_t *ep, handle_t *report, struct child *cli)
{
    sys_endpoint_create(ep);
    sys_endpoint_create(report);
    if (child_spawn(cli, caller, *report, 0, 0, 12))
        return test_fail(name, "setup failed");
    cli->args->ep[0] = child_grant(cli, *ep, RIGHT_SEND, 0);
    sys_thread_start(cli->thread);
    if (!wait_until(cli->thread, THREAD_BLOCKED_SEND))
        return test_fail(name, "the caller never blocked");
    return 0;
}

static int endpoint_dies(void)
{
    const char *name = "ipc_endpoint_destroy_wakes_waiter";
    handle_t ep, report;
    struct child cli;
    if (blocked_caller(name, &ep, &report, &cli))
        return 1;
    sys_endpoint_destroy(ep);
    uint64_t status = ~0ull, w1;
    int got = serve(report, 0, &status, &w1);
    child_destroy(&cli);
    sys_handle_close(ep);
    sys_endpoint_destroy(report);
    sys_handle_close(report);
    if (!got || status != IPC_EDEAD)
        return test_fail(name, "blocked call ended with %lu, expected IPC_EDEAD", status);
    return test_pass(name);
}

static int stop_cancels(void)
{
    const char *name = "thread_stop_cancels_ipc";
    handle_t ep, report;
    struct child cli;
    if (blocked_caller(name, &ep, &report, &cli))
        return 1;
    uint64_t stop = sys_thread_stop(cli.thread);
    uint64_t again = sys_thread_start(cli.thread);
    uint64_t status = ~0ull, w1;
    int got = serve(report, 0, &status, &w1);
    child_destroy(&cli);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    sys_endpoint_destroy(report);
    sys_handle_close(report);
    if (stop || again)
        return test_fail(name, "stop gave %lu, start gave %lu", stop, again);
    if (!got || status != IPC_ECANCELED)
        return test_fail(name, "stopped call ended with %lu, expected IPC_ECANCELED", status);
    return test_pass(name);
}

/* One create/destroy cycle of every object kind, with a mapping. */
static int cycle(uint64_t page)
{
    handle_t s, e, t;
    if (sys_space_create(&s) || sys_endpoint_create(&e))
        return -1;
    if (sys_map(s, page, 0x7000000000ull, 1, PAGE_READ | PAGE_WRITE) ||
        sys_space_set_pager(s, e) ||
        sys_thread_create(s, 0x400000, 0x7000001000ull, 5, 0, &t))
        return -2;
    if (sys_thread_destroy(t) || sys_handle_close(t))
        return -3;
    if (sys_space_destroy(s) || sys_handle_close(s))
        return -4;
    if (sys_endpoint_destroy(e) || sys_handle_close(e))
        return -5;
    return 0;
}

static int no_leaks(void)
{
    const char *name = "objects_create_destroy_no_leak";
    uint64_t page = frame_new();
    if (cycle(page))                 /* warm up: slabs and our handle table grow once */
        return test_fail(name, "first cycle failed");
    uint64_t frames = sys_kernel_info(KINFO_FREE_FRAMES);
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    for (int i = 0; i < 1000; i++) {
        int r = cycle(page);
        if (r)
            return test_fail(name, "cycle %d failed at step %d", i, -r);
    }
    uint64_t frames2 = sys_kernel_info(KINFO_FREE_FRAMES);
    uint64_t objects2 = sys_kernel_info(KINFO_OBJECTS);
    printf("ktest: after 1000 cycles: kernel frames free %lu -> %lu, objects %lu -> %lu\n",
           frames, frames2, objects, objects2);
    if (frames != frames2 || objects != objects2)
        return test_fail(name, "frames %lu -> %lu, objects %lu -> %lu", frames, frames2,
                         objects, objects2);
    return test_pass(name);
}

/* Creates objects of one kind until the kernel says no; the error must be
 * IPC_ENOMEM or IPC_ENOHANDLES, and after destroying them all the kernel's
 * free frames and live objects are exactly what they were. */
static handle_t made[HANDLE_MAX];

static int exhaust(const char *name, int spaces)
{
    uint64_t frames = sys_kernel_info(KINFO_FREE_FRAMES);
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    unsigned n = 0;
    uint64_t err = 0;
    while (n < HANDLE_MAX) {
        err = spaces ? sys_space_create(&made[n]) : sys_endpoint_create(&made[n]);
        if (err)
            break;
        n++;
    }
    for (unsigned i = 0; i < n; i++) {
        if (spaces)
            sys_space_destroy(made[i]);
        else
            sys_endpoint_destroy(made[i]);
        sys_handle_close(made[i]);
    }
    uint64_t frames2 = sys_kernel_info(KINFO_FREE_FRAMES);
    uint64_t objects2 = sys_kernel_info(KINFO_OBJECTS);
    printf("ktest: %u %s before error %lu; kernel frames free %lu -> %lu, objects %lu -> %lu\n", n,
           spaces ? "spaces" : "endpoints", err, frames, frames2, objects, objects2);
    if (err != IPC_ENOMEM && err != IPC_ENOHANDLES)
        return test_fail(name, "ended with status %lu after %u objects", err, n);
    if (objects2 != objects)
        return test_fail(name, "objects %lu -> %lu", objects, objects2);
    /* Slabs and our handle table keep the pages they grew: compare with a
     * second run, which must end at the same count and give back the same. */
    return test_pass(name);
}

int tests_life(void)
{
    int failed = server_dies() + endpoint_dies() + stop_cancels() + no_leaks();
    failed += exhaust("exhaust_kernel_spaces", 1);
    uint64_t before = sys_kernel_info(KINFO_FREE_FRAMES);
    failed += exhaust("exhaust_kernel_spaces_again", 1);
    uint64_t after = sys_kernel_info(KINFO_FREE_FRAMES);
    if (after != before)
        failed += test_fail("exhaust_kernel_frames_back", "kernel frames %lu -> %lu", before, after);
    else
        failed += test_pass("exhaust_kernel_frames_back");
    failed += exhaust("exhaust_handles", 0);
    before = sys_kernel_info(KINFO_FREE_FRAMES);
    failed += exhaust("exhaust_handles_again", 0);
    after = sys_kernel_info(KINFO_FREE_FRAMES);
    if (after != before)
        failed += test_fail("exhaust_handles_frames_back", "kernel frames %lu -> %lu", before,
                            after);
    else
        failed += test_pass("exhaust_handles_frames_back");
    return failed;
}
