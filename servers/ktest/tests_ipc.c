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
                              CHILD_PRIORITY, stack_va, &client.thread))
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

/* Calls ep[0], reports the status and the reply's label. */
static uint64_t labelled_caller(struct child_args *a)
{
    struct ipc_msg m = { .tag = a->value[0] };
    struct ipc_status st = sys_call(a->ep[0], &m);
    child_report(a, st.status, m.tag);
    return 0;
}

/* A server keeps two callers waiting with saved replies, answers them in
 * the other order, and drops a third: that one hears IPC_ECANCELED. */
static int saved_replies(void)
{
    const char *name = "ipc_saved_replies";
    handle_t ep, report, r[3];
    struct child c[3];
    sys_endpoint_create(&ep);
    sys_endpoint_create(&report);
    for (int i = 0; i < 3; i++) {
        if (child_spawn(&c[i], labelled_caller, report, 0, 0, CHILD_PRIORITY))
            return test_fail(name, "setup failed");
        c[i].args->ep[0] = child_grant(&c[i], ep, RIGHT_SEND, 0);
        c[i].args->value[0] = 100 + i;
        sys_thread_start(c[i].thread);
    }
    uint64_t order[3];
    for (int i = 0; i < 3; i++) {
        struct ipc_msg m = {0};
        struct ipc_status st = sys_recv(ep, &m);
        order[i] = m.tag;
        if (st.status || sys_reply_save(&r[i]))
            return test_fail(name, "receive or save %d failed", i);
    }
    struct ipc_msg a = { .tag = order[1] + 1000 }, b = { .tag = order[0] + 1000 };
    uint64_t s1 = sys_reply_saved(r[1], &a), s0 = sys_reply_saved(r[0], &b);
    uint64_t again = sys_reply_saved(r[0], &b);
    sys_handle_close(r[2]);          /* dropped unanswered */
    uint64_t got[3] = {0}, status[3] = {0};
    for (int i = 0; i < 3; i++) {
        uint64_t st, label;
        if (!serve(report, 0, &st, &label))
            return test_fail(name, "a caller never reported");
        /* An answered caller got 1000 + its tag, the dropped one its own tag
         * back (they may come in any order: on several CPUs they run at once). */
        unsigned who = (unsigned)(label >= 1100 ? label - 1100 : label - 100);
        if (who > 2)
            return test_fail(name, "unexpected label %lu", label);
        got[who] = label;
        status[who] = st;
    }
    for (int i = 0; i < 3; i++)
        child_destroy(&c[i]);
    sys_handle_close(r[0]);
    sys_handle_close(r[1]);
    sys_endpoint_destroy(ep);
    sys_endpoint_destroy(report);
    sys_handle_close(ep);
    sys_handle_close(report);
    if (s0 || s1 || again != IPC_EDEAD)
        return test_fail(name, "reply_saved gave %lu, %lu, then %lu (expected 0, 0, %d)", s1,
                         s0, again, IPC_EDEAD);
    uint64_t dropped = order[2] - 100;
    for (uint64_t i = 0; i < 3; i++) {
        if (i == dropped && status[i] != IPC_ECANCELED)
            return test_fail(name, "the dropped caller got %lu, not IPC_ECANCELED", status[i]);
        if (i != dropped && (status[i] || got[i] != 1100 + i))
            return test_fail(name, "caller %lu got status %lu label %lu", i, status[i], got[i]);
    }
    return test_pass(name);
}

int tests_ipc(void)
{
    return pingpong("ipc_pingpong_cross_space", 0) + pingpong("ipc_pingpong_same_space", 1) +
           saved_replies();
}
