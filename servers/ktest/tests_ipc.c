/* IPC: many messages between address spaces, payload checked each time. */
#include "ktest.h"

#define ROUNDS 10000
#define ECHO_LABEL 0xec40

/* Server: answers each call with every word plus one, label = round. */
static uint64_t echo_server(struct child_args *a)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(a->ep[0], &m);
    for (;;) {
        if (st.status)
            return 100 + st.status;
        m.tag = m.w[0];
        for (int i = 0; i < 4; i++)
            m.w[i] += 1;
        st = sys_reply_recv(a->ep[0], &m);
    }
}

/* Client: ROUNDS calls, checks every reply, reports how many were right. */
static uint64_t echo_client(struct child_args *a)
{
    uint64_t good = 0, first_bad = 0;
    for (uint64_t i = 0; i < ROUNDS; i++) {
        struct ipc_msg m = { .tag = ECHO_LABEL, .w = { i, i * 3, ~i, i ^ 0x5a5a5a5aull } };
        struct ipc_status st = sys_call(a->ep[0], &m);
        if (st.status == IPC_OK && m.tag == i && m.w[0] == i + 1 && m.w[1] == i * 3 + 1 &&
            m.w[2] == ~i + 1 && m.w[3] == (i ^ 0x5a5a5a5aull) + 1)
            good++;
        else if (!first_bad)
            first_bad = i + 1;
    }
    child_report(a, good, first_bad);
    return 0;
}

static int pingpong(const char *name, int same_space)
{
    handle_t ep, report;
    struct child server, client;
    if (sys_endpoint_create(&ep) || sys_endpoint_create(&report))
        return test_fail(name, "cannot create endpoints");
    if (child_spawn(&server, echo_server, 0, 0, 0, CHILD_PRIORITY))
        return test_fail(name, "cannot spawn the server");
    server.args->ep[0] = child_grant(&server, ep, RIGHT_RECV, 0);
    if (same_space) {
        /* A second thread in the server's space, on its own stack area. */
        client = server;
        uint64_t f = frame_new();
        uint64_t stack_va = CHILD_STACK_TOP - 64 * 4096;
        struct child_args *ca = (struct child_args *)f;
        ca->fn = echo_client;
        ca->report = child_grant(&server, report, RIGHT_SEND, 0);
        ca->ep[0] = child_grant(&server, ep, RIGHT_SEND, 0);
        if (sys_map(server.space, f, stack_va, 1, PAGE_READ | PAGE_WRITE) ||
            sys_thread_create(server.space, (uint64_t)child_start, stack_va - 8,
                              0, CHILD_PRIORITY, stack_va, &client.thread))
            return test_fail(name, "cannot create the client thread");
        /* the client's stack grows down from the page below its args */
        uint64_t f2 = frame_new();
        sys_map(server.space, f2, stack_va - 4096, 1, PAGE_READ | PAGE_WRITE);
    } else {
        if (child_spawn(&client, echo_client, report, 0, 0, CHILD_PRIORITY))
            return test_fail(name, "cannot spawn the client");
        client.args->ep[0] = child_grant(&client, ep, RIGHT_SEND, 0);
    }
    sys_thread_start(server.thread);
    sys_thread_start(client.thread);
    uint64_t good = 0, first_bad = 0;
    int got = serve(report, 0, &good, &first_bad);
    if (same_space)
        sys_handle_close(client.thread);
    else
        child_destroy(&client);
    child_destroy(&server);
    sys_endpoint_destroy(ep);
    sys_endpoint_destroy(report);
    sys_handle_close(ep);
    sys_handle_close(report);
    if (!got)
        return test_fail(name, "no report from the client");
    if (good != ROUNDS)
        return test_fail(name, "%lu of %d replies right, first wrong at round %lu", good,
                         ROUNDS, first_bad - 1);
    return test_pass(name);
}

int tests_ipc(void)
{
    return pingpong("ipc_pingpong_cross_space", 0) + pingpong("ipc_pingpong_same_space", 1);
}
