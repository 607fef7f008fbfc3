/*
 * The mapping database seen from user space. Every mapping made by map
 * (sys_map, or a map item in a fault reply) rests on its source: unmapping
 * a mapping takes away everything derived from it, lowering its rights
 * lowers theirs, and nothing ever gets more rights than its source. The
 * kernel's own mappings of the root task (window, image, stack, info page)
 * never change. A pager's bad map item is refused by the fastpath and the
 * slow path alike, and leaves its faulter waiting for a better answer.
 *
 * Most tests drive "agents": children that perform map calls (or a read
 * or write) in their own space on ktest's command, since sys_map always
 * takes its source from the caller's own space.
 */
#include "ktest.h"

extern char __image_start[];

#define RW  (PAGE_READ | PAGE_WRITE)
#define RX  (PAGE_READ | PAGE_EXEC)
#define RWX PAGE_RIGHTS

/* Addresses in children (nothing of child_spawn's there). */
#define FAULT_ADDR        0x0000100000000000ull   /* children fault here */
#define PAGER_FAULT_ADDR  0x0000100000007000ull   /* pager_binding_rights' fault */
#define X_VA              0x0000010000000000ull   /* a chain: S1:X -> S2:Y -> S3:Z */
#define Y_VA              0x0000020000000000ull
#define Z_VA              0x0000030000000000ull
#define WIDE_ROOT_BASE    0x0000050000000000ull   /* wide: children of a root */
#define WIDE_DERIVED_BASE 0x0000060000000000ull   /* wide: children of a derived page */
#define DEEP_BASE         0x0000070000000000ull   /* deep: one level per page */
/* Addresses in ktest's own space. */
#define SCRATCH_VA        0x0000200000000000ull   /* free: ktest maps here itself */
#define UNMAPPED_VA       0x0000300000000000ull   /* never mapped */
#define KERNEL_VA         0xffff800000000000ull   /* the direct map */

#define MAGIC_A 0x6d61706462000aaaull
#define MAGIC_B 0x6d61706462000bbbull
#define CALL_LABEL 0xca11u

/* ---- verdicts: the first failed check of a test, with what it saw ---- */

static char why[256];

static void check_failed(const char *what, uint64_t got, uint64_t want)
{
    snprintf(why, sizeof(why), "%s: got 0x%lx, expected 0x%lx", what, got, want);
}

/* In a test with an `out:` label (its cleanup) that ends in verdict(). */
#define CHECK(what, got, want)                                                  \
    do {                                                                        \
        uint64_t got_ = (got), want_ = (want);                                  \
        if (got_ != want_) {                                                    \
            check_failed(what, got_, want_);                                    \
            goto out;                                                           \
        }                                                                       \
    } while (0)

static int verdict(const char *name)
{
    return why[0] ? test_fail(name, "%s", why) : test_pass(name);
}

/* ---- small helpers ---- */

#define NO_ANSWER 0xbadu   /* sys_map_rights itself failed */

/* PAGE_* rights of the mapping at va in space (0: none). */
static uint64_t rights_at(handle_t space, uint64_t va)
{
    uint32_t r = 0;
    return sys_map_rights(space, va, &r) ? NO_ANSWER : r;
}

static uint64_t live_mappings(void) { return sys_kernel_info(KINFO_MAPPINGS); }

/* THREAD_* state, ~0 when dead. */
static uint64_t state_of(handle_t t)
{
    uint64_t status;
    return sys_thread_state(t, &status);
}

static void endpoint_free(handle_t ep)
{
    if (ep) {
        sys_endpoint_destroy(ep);
        sys_handle_close(ep);
    }
}

static void space_free(handle_t s)
{
    if (s) {
        sys_space_destroy(s);
        sys_handle_close(s);
    }
}

/* A fresh window frame (ktest's address of it) with `magic` in word 0. */
static uint64_t frame_with(uint64_t magic)
{
    uint64_t f = frame_new();
    if (f)
        *(volatile uint64_t *)f = magic;
    return f;
}

static uint64_t word_at(uint64_t va) { return *(volatile uint64_t *)va; }

/* ---- agents: children that map (or touch memory) when told ---- */

enum {
    OP_MAP = 1,      /* w0 = space handle, w1 = src, w2 = dst, w3 = pages << 8 | rights */
    OP_MAP_RUN,      /* the same, but w3 >> 8 calls of one page each: dst, dst + 4K, ... */
    OP_READ,         /* w0 = address: the word there */
    OP_WRITE,        /* w0 = address, w1 = word */
    OP_CLOSE,        /* w0 = handle */
};

#define AGENT_GONE 0x100ull   /* agent_do: the call itself failed (| its status) */

/* Answers each call on ep[0] with w0 = status, w1 = value. Runs only on
 * its stack (children have ktest's text and rodata, not its data). An
 * access to an unmapped page kills it (no pager): the call gets EDEAD. */
static uint64_t agent_main(struct child_args *a)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(a->ep[0], &m);
    while (!st.status) {
        uint64_t r = IPC_EINVAL, v = 0, h = m.w[0], src = m.w[1], dst = m.w[2];
        uint64_t pages = m.w[3] >> 8;
        uint32_t rights = (uint32_t)m.w[3] & 0xff;
        switch (tag_label(m.tag)) {
        case OP_MAP:
            r = sys_map(h, src, dst, pages, rights);
            break;
        case OP_MAP_RUN:
            r = IPC_OK;
            for (uint64_t i = 0; !r && i < pages; i++)
                r = sys_map(h, src, dst + i * 4096, 1, rights);
            break;
        case OP_READ:
            v = *(volatile uint64_t *)m.w[0];
            r = IPC_OK;
            break;
        case OP_WRITE:
            *(volatile uint64_t *)m.w[0] = m.w[1];
            r = IPC_OK;
            break;
        case OP_CLOSE:
            r = sys_handle_close(h);
            break;
        }
        m = (struct ipc_msg){ .tag = 0, .w = { r, v, 0, 0 } };
        st = sys_reply_recv(a->ep[0], &m);
    }
    return st.status;
}

struct agent {
    struct child c;
    handle_t cmd;     /* ktest's end of its command endpoint */
};

static int agent_spawn(struct agent *a)
{
    memset(a, 0, sizeof(*a));
    if (sys_endpoint_create(&a->cmd))
        return -1;
    if (child_spawn(&a->c, agent_main, 0, HANDLE_NONE, 0, CHILD_PRIORITY))
        return -1;
    if (!(a->c.args->ep[0] = child_grant(&a->c, a->cmd, RIGHT_RECV, 0)))
        return -1;
    return sys_thread_start(a->c.thread) ? -1 : 0;
}

static void agent_destroy(struct agent *a)
{
    child_destroy(&a->c);
    endpoint_free(a->cmd);
    a->cmd = 0;
}

/* A handle with only RIGHT_MAP on `space` in the agent's table. */
static handle_t agent_reach(struct agent *a, handle_t space)
{
    return child_grant(&a->c, space, RIGHT_MAP, 0);
}

static uint64_t agent_do(struct agent *a, uint64_t op, uint64_t w0, uint64_t w1, uint64_t w2,
                         uint64_t w3, uint64_t *value)
{
    struct ipc_msg m = { .tag = op, .w = { w0, w1, w2, w3 } };
    struct ipc_status st = sys_call(a->cmd, &m);
    if (st.status)
        return AGENT_GONE | st.status;
    if (value)
        *value = m.w[1];
    return m.w[0];
}

/* The agent maps one page of its space at src into space h (its handle)
 * at dst. */
static uint64_t agent_map(struct agent *a, handle_t h, uint64_t src, uint64_t dst,
                          uint32_t rights)
{
    return agent_do(a, OP_MAP, h, src, dst, (1ull << 8) | rights, 0);
}

/* The word at va in the agent's space, or ~0 with *status set. */
static uint64_t agent_read(struct agent *a, uint64_t va, uint64_t *status)
{
    uint64_t v = ~0ull;
    *status = agent_do(a, OP_READ, va, 0, 0, 0, &v);
    return v;
}

/* ---- a three-level chain: ktest's frame -> S1:X -> S2:Y -> S3:Z ---- */

struct chain {
    struct agent a1, a2;          /* in S1 and S2 */
    handle_t s3;                  /* a bare space */
    handle_t s2_in_s1, s3_in_s2;  /* the agents' map handles */
};

static handle_t chain_s1(const struct chain *ch) { return ch->a1.c.space; }
static handle_t chain_s2(const struct chain *ch) { return ch->a2.c.space; }

static int chain_setup(struct chain *ch)
{
    memset(ch, 0, sizeof(*ch));
    if (agent_spawn(&ch->a1) || agent_spawn(&ch->a2) || sys_space_create(&ch->s3))
        return -1;
    ch->s2_in_s1 = agent_reach(&ch->a1, chain_s2(ch));
    ch->s3_in_s2 = agent_reach(&ch->a2, ch->s3);
    return ch->s2_in_s1 && ch->s3_in_s2 ? 0 : -1;
}

static void chain_destroy(struct chain *ch)
{
    agent_destroy(&ch->a1);
    agent_destroy(&ch->a2);
    space_free(ch->s3);
    ch->s3 = 0;
}

/* S1's agent maps X on to S2:Y, S2's agent Y on to S3:Z (the chain's
 * lower two levels); the first failing status or 0. */
static uint64_t chain_extend(struct chain *ch)
{
    uint64_t r = agent_map(&ch->a1, ch->s2_in_s1, X_VA, Y_VA, RW);
    return r ? r : agent_map(&ch->a2, ch->s3_in_s2, Y_VA, Z_VA, RW);
}

/* The whole chain, read-write, from ktest's window frame. */
static uint64_t chain_build(struct chain *ch, uint64_t frame)
{
    uint64_t r = sys_map(chain_s1(ch), frame, X_VA, 1, RW);
    return r ? r : chain_extend(ch);
}

/* ---- children of the fault tests ---- */

/* Reads the word at value[0] (faulting there first) and reports it. */
static uint64_t fault_reader(struct child_args *a)
{
    uint64_t v = *(volatile uint64_t *)a->value[0];
    child_report(a, v, 0);
    return 0;
}

/* Calls ep[0] once: a sender queued on the pager's endpoint. */
static uint64_t one_call(struct child_args *a)
{
    struct ipc_msg m = { .tag = CALL_LABEL };
    return sys_call(a->ep[0], &m).status;
}

/* ==== 1. fault_reply_rejected_fast / _slow ==============================
 * A pager's bad map item is refused with the same status whichever path
 * takes the reply: nothing is delivered or mapped, the faulter keeps
 * waiting for its reply, and a correct answer afterwards resumes it. The
 * fast variant leaves the fastpath free to take the reply (no sender
 * queued on the pager endpoint, the destination's page table present);
 * the slow one keeps a second caller queued there, so every reply falls
 * to the slow path, and that caller must not be received by a failed
 * reply_recv. */

struct bad_reply {
    const char *what;
    uint64_t tag, src, dst, item, want;
};

static int fault_reply_rejected(const char *name, int slow)
{
    struct child c = {0}, q = {0};
    handle_t ep = 0;
    struct ipc_msg m;
    struct ipc_status st;
    uint64_t frame = frame_with(MAGIC_A), table_page = frame_with(0);
    uint64_t info = ROOT_INFO_ADDR, before;
    const uint64_t A = FAULT_ADDR, RM = FAULT_RESUME | TAG_MAP;
    why[0] = 0;
    /* ktest's own sources: SCRATCH read-write with nothing after it,
     * SCRATCH + 2 pages read-only (both derived from `frame`). */
    CHECK("map scratch", sys_map(HANDLE_ROOT_SPACE, frame, SCRATCH_VA, 1, RW), IPC_OK);
    CHECK("map scratch ro",
          sys_map(HANDLE_ROOT_SPACE, frame, SCRATCH_VA + 2 * 4096, 1, PAGE_READ), IPC_OK);
    CHECK("endpoint", sys_endpoint_create(&ep), IPC_OK);
    CHECK("spawn faulter", (uint64_t)child_spawn(&c, fault_reader, ep, ep, 0x11, CHILD_PRIORITY),
          0);
    c.args->value[0] = A + 16;
    *(volatile uint64_t *)(frame + 16) = MAGIC_A;   /* what it will read there */
    /* A page in the same level-0 table, so that the destination's table
     * exists and the fastpath goes as far as its own checks. */
    CHECK("table page", sys_map(c.space, table_page, A + 8 * 4096, 1, PAGE_READ), IPC_OK);
    if (slow) {
        CHECK("spawn caller", (uint64_t)child_spawn(&q, one_call, 0, HANDLE_NONE, 0, 12), 0);
        CHECK("grant", !(q.args->ep[0] = child_grant(&q, ep, RIGHT_SEND, 0)), 0);
    }

    sys_thread_start(c.thread);
    m = (struct ipc_msg){0};
    st = sys_recv(ep, &m);
    CHECK("fault receive", st.status, IPC_OK);
    CHECK("fault label", tag_label(m.tag), FAULT_PAGE);
    CHECK("fault address", m.w[0], A + 16);
    CHECK("fault badge", st.badge, 0x11);
    if (slow) {
        sys_thread_start(q.thread);
        CHECK("second caller queued on the pager endpoint",
              (uint64_t)wait_until(q.thread, THREAD_BLOCKED_SEND), 1);
    }

    struct bad_reply bad[] = {
        { "two pages, the second source page unmapped", RM, SCRATCH_VA, A, MAP_ITEM(2, RW),
          IPC_EADDR },
        { "unaligned source", RM, frame + 8, A, MAP_ITEM(1, RW), IPC_EADDR },
        { "unaligned destination", RM, frame, A + 8, MAP_ITEM(1, RW), IPC_EADDR },
        { "rights without read", RM, frame, A, MAP_ITEM(1, PAGE_WRITE), IPC_EINVAL },
        { "no rights", RM, frame, A, MAP_ITEM(1, 0), IPC_EINVAL },
        { "unknown rights bit (0x9)", RM, frame, A, (1ull << 8) | 0x9, IPC_EINVAL },
        { "unknown rights bit (0x81)", RM, frame, A, (1ull << 8) | 0x81, IPC_EINVAL },
        { "unmapped source", RM, UNMAPPED_VA, A, MAP_ITEM(1, PAGE_READ), IPC_EADDR },
        { "source in the kernel half", RM, KERNEL_VA, A, MAP_ITEM(1, PAGE_READ), IPC_EADDR },
        { "write from a read-only root (root info)", RM, info, A, MAP_ITEM(1, RW), IPC_ERIGHTS },
        { "write from a read-only derived page", RM, SCRATCH_VA + 2 * 4096, A, MAP_ITEM(1, RW),
          IPC_ERIGHTS },
        { "exec from a non-executable page", RM, SCRATCH_VA, A, MAP_ITEM(1, RX), IPC_ERIGHTS },
        { "exec from the read-only root info page", RM, info, A, MAP_ITEM(1, RX), IPC_ERIGHTS },
        { "destination in the kernel half", RM, frame, KERNEL_VA, MAP_ITEM(1, PAGE_READ),
          IPC_EADDR },
        { "destination at the user top", RM, frame, 0x0000800000000000ull,
          MAP_ITEM(1, PAGE_READ), IPC_EADDR },
        { "two pages crossing the user top", RM, SCRATCH_VA, 0x00007ffffffff000ull,
          MAP_ITEM(2, PAGE_READ), IPC_EADDR },
        { "zero pages", RM, frame, A, MAP_ITEM(0, RW), IPC_EINVAL },
        { "MAP_MAX_PAGES + 1 pages", RM, frame, A, MAP_ITEM(MAP_MAX_PAGES + 1, RW), IPC_EINVAL },
        { "page count 2^40 + 1", RM, frame, A, ((1ull << 40) + 1) << 8 | RW, IPC_EINVAL },
        { "label neither resume nor kill, with a good item", 0x1234 | TAG_MAP, frame, A,
          MAP_ITEM(1, RW), IPC_EINVAL },
        { "label neither resume nor kill", 0x1234, 0, 0, 0, IPC_EINVAL },
        { "a fault label as the answer", FAULT_PAGE, 0, 0, 0, IPC_EINVAL },
    };
    before = live_mappings();
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct bad_reply *b = &bad[i];
        char what[160];
        m = (struct ipc_msg){ .tag = b->tag, .w = { b->src, b->dst, b->item, 0 } };
        st = sys_reply_recv(ep, &m);
        snprintf(what, sizeof(what), "reply_recv, %s", b->what);
        CHECK(what, st.status, b->want);
        m = (struct ipc_msg){ .tag = b->tag, .w = { b->src, b->dst, b->item, 0 } };
        snprintf(what, sizeof(what), "sys_reply, %s", b->what);
        CHECK(what, sys_reply(&m), b->want);
        snprintf(what, sizeof(what), "faulter's state after: %s", b->what);
        CHECK(what, state_of(c.thread), THREAD_BLOCKED_REPLY);
        snprintf(what, sizeof(what), "mapped after: %s", b->what);
        CHECK(what, rights_at(c.space, A), 0);
        CHECK(what, rights_at(c.space, A + 4096), 0);
        snprintf(what, sizeof(what), "live mappings after: %s", b->what);
        CHECK(what, live_mappings(), before);
        if (slow) {
            snprintf(what, sizeof(what), "queued caller after: %s", b->what);
            CHECK(what, state_of(q.thread), THREAD_BLOCKED_SEND);
        }
    }

    /* The right answer: the faulter reads the frame's magic. */
    m = (struct ipc_msg){ .tag = RM, .w = { frame, A, MAP_ITEM(1, RW), 0 } };
    st = sys_reply_recv(ep, &m);
    CHECK("good reply_recv", st.status, IPC_OK);
    if (slow) {
        /* The queued caller comes at once; answer it, then wait for the report. */
        CHECK("next message is the queued call", tag_label(m.tag), CALL_LABEL);
        CHECK("answer the caller", sys_reply(&(struct ipc_msg){ .tag = 0 }), IPC_OK);
        m = (struct ipc_msg){0};
        st = sys_recv(ep, &m);
        CHECK("report receive", st.status, IPC_OK);
    }
    CHECK("the faulter reports", tag_label(m.tag), REPORT_LABEL);
    CHECK("the faulter read through its new mapping", m.w[0], MAGIC_A);
    CHECK("rights of the resolved page", rights_at(c.space, A), RW);
out:
    child_destroy(&c);
    child_destroy(&q);
    endpoint_free(ep);
    sys_unmap(HANDLE_ROOT_SPACE, SCRATCH_VA, 3);
    return verdict(name);
}

/* ==== 1b. fault_reply_rejected_root_space ===============================
 * The same with the faulter in ktest's own space (a second thread there;
 * ktest's space gets ktest as its pager for the test): only there can a
 * map item name a root as its destination, which is refused as sys_map
 * refuses it (the fastpath leaves it to the slow path), and only there do
 * source and destination share a space, so overlaps are refused. */

#define SELF_FAULT_VA 0x0000280000000000ull   /* free in ktest's space */

static int fault_reply_rejected_root_space(void)
{
    const char *name = "fault_reply_rejected_root_space";
    handle_t ep = 0, t = 0, pager = 0;
    struct ipc_msg m;
    struct ipc_status st;
    uint64_t frame = frame_with(0), w = frame_with(MAGIC_B), text = (uint64_t)__image_start;
    uint64_t args_page = frame_new(), before;
    uint64_t stack2 = ROOT_STACK_TOP - 2 * 4096;   /* two mapped pages of ktest's stack */
    struct child_args *args = (struct child_args *)args_page;
    const uint64_t RM = FAULT_RESUME | TAG_MAP, A = SELF_FAULT_VA;
    why[0] = 0;
    *(volatile uint64_t *)(frame + 16) = MAGIC_A;
    CHECK("endpoint", sys_endpoint_create(&ep), IPC_OK);
    CHECK("badged", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND | RIGHT_GRANT, 0x5e1f,
                                     &pager), IPC_OK);
    CHECK("report handle", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND, 0, &args->report),
          IPC_OK);
    args->fn = fault_reader;
    args->value[0] = A + 16;
    CHECK("the page below the text is free", rights_at(HANDLE_ROOT_SPACE, text - 4096), 0);
    CHECK("be our own pager", sys_space_set_pager(HANDLE_ROOT_SPACE, pager), IPC_OK);
    /* At ktest's priority (for wait_until); its stack is the rest of its
     * args page (window memory: ktest's own). */
    CHECK("thread", sys_thread_create(HANDLE_ROOT_SPACE, (uint64_t)child_start,
                                      args_page + 4096 - 72, 12, args_page, &t),
          IPC_OK);
    sys_thread_start(t);
    m = (struct ipc_msg){0};
    st = sys_recv(ep, &m);
    CHECK("fault receive", st.status, IPC_OK);
    CHECK("fault label", tag_label(m.tag), FAULT_PAGE);
    CHECK("fault address", m.w[0], A + 16);
    CHECK("fault badge", st.badge, 0x5e1f);

    struct bad_reply bad[] = {
        { "destination a window page (a root)", RM, frame, w, MAP_ITEM(1, RW), IPC_ERIGHTS },
        { "destination the text page (a root)", RM, frame, text, MAP_ITEM(1, PAGE_READ),
          IPC_ERIGHTS },
        { "two pages, the first free, the second a root (the text)", RM, stack2, text - 4096,
          MAP_ITEM(2, PAGE_READ), IPC_ERIGHTS },
        { "source and destination the same page", RM, A, A, MAP_ITEM(1, PAGE_READ), IPC_EINVAL },
        { "a window page onto itself", RM, w, w, MAP_ITEM(1, PAGE_READ), IPC_EINVAL },
        { "overlapping two-page ranges", RM, A, A + 4096, MAP_ITEM(2, PAGE_READ), IPC_EINVAL },
    };
    before = live_mappings();
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct bad_reply *b = &bad[i];
        char what[160];
        m = (struct ipc_msg){ .tag = b->tag, .w = { b->src, b->dst, b->item, 0 } };
        st = sys_reply_recv(ep, &m);
        snprintf(what, sizeof(what), "reply_recv, %s", b->what);
        CHECK(what, st.status, b->want);
        m = (struct ipc_msg){ .tag = b->tag, .w = { b->src, b->dst, b->item, 0 } };
        snprintf(what, sizeof(what), "sys_reply, %s", b->what);
        CHECK(what, sys_reply(&m), b->want);
        snprintf(what, sizeof(what), "faulter's state after: %s", b->what);
        CHECK(what, state_of(t), THREAD_BLOCKED_REPLY);
        snprintf(what, sizeof(what), "the window page after: %s", b->what);
        CHECK(what, rights_at(HANDLE_ROOT_SPACE, w), RWX);
        CHECK(what, word_at(w), MAGIC_B);
        snprintf(what, sizeof(what), "the text page after: %s", b->what);
        CHECK(what, rights_at(HANDLE_ROOT_SPACE, text), RX);
        snprintf(what, sizeof(what), "the fault page after: %s", b->what);
        CHECK(what, rights_at(HANDLE_ROOT_SPACE, A), 0);
        snprintf(what, sizeof(what), "the page below the text after: %s", b->what);
        CHECK(what, rights_at(HANDLE_ROOT_SPACE, text - 4096), 0);
        snprintf(what, sizeof(what), "live mappings after: %s", b->what);
        CHECK(what, live_mappings(), before);
    }
    m = (struct ipc_msg){ .tag = RM, .w = { frame, A, MAP_ITEM(1, RW), 0 } };
    st = sys_reply_recv(ep, &m);
    CHECK("good reply_recv", st.status, IPC_OK);
    CHECK("the faulter reports", tag_label(m.tag), REPORT_LABEL);
    CHECK("the faulter read through its new mapping", m.w[0], MAGIC_A);
    CHECK("the new mapping", rights_at(HANDLE_ROOT_SPACE, A), RW);
    CHECK("the faulter ends", (uint64_t)wait_until(t, ~0ull), 1);
out:
    if (t) {
        sys_thread_destroy(t);
        sys_handle_close(t);
    }
    sys_space_set_pager(HANDLE_ROOT_SPACE, HANDLE_NONE);
    sys_unmap(HANDLE_ROOT_SPACE, A, 1);
    if (pager)
        sys_handle_close(pager);
    if (args->report)
        sys_handle_close(args->report);
    endpoint_free(ep);
    return verdict(name);
}

/* ==== 2. map_chain_revoked ==============================================
 * Unmapping a mapping takes everything derived from it, at any level and
 * in any space, at once: the nodes go back (KINFO_MAPPINGS) and the pages
 * are really gone (an agent touching one dies). Unmapping the middle of a
 * chain leaves its top. */
static int map_chain_revoked(void)
{
    const char *name = "map_chain_revoked";
    struct chain ch;
    uint64_t frame = frame_with(MAGIC_A), before, status, v;
    why[0] = 0;
    CHECK("setup", (uint64_t)chain_setup(&ch), 0);
    before = live_mappings();
    CHECK("build the chain", chain_build(&ch, frame), IPC_OK);
    CHECK("live mappings with the chain", live_mappings(), before + 3);
    CHECK("S1:X", rights_at(chain_s1(&ch), X_VA), RW);
    CHECK("S2:Y", rights_at(chain_s2(&ch), Y_VA), RW);
    CHECK("S3:Z", rights_at(ch.s3, Z_VA), RW);
    v = agent_read(&ch.a2, Y_VA, &status);
    CHECK("S2 reads Y", status, IPC_OK);
    CHECK("S2:Y maps ktest's frame", v, MAGIC_A);

    /* The middle: Y and Z go, X stays. */
    CHECK("unmap S2:Y", sys_unmap(chain_s2(&ch), Y_VA, 1), IPC_OK);
    CHECK("S1:X after unmapping Y", rights_at(chain_s1(&ch), X_VA), RW);
    CHECK("S2:Y after unmapping Y", rights_at(chain_s2(&ch), Y_VA), 0);
    CHECK("S3:Z after unmapping Y", rights_at(ch.s3, Z_VA), 0);
    CHECK("live mappings after unmapping Y", live_mappings(), before + 1);

    /* Again, then the top: all three at once. */
    CHECK("rebuild Y and Z", chain_extend(&ch), IPC_OK);
    CHECK("live mappings rebuilt", live_mappings(), before + 3);
    CHECK("unmap S1:X", sys_unmap(chain_s1(&ch), X_VA, 1), IPC_OK);
    CHECK("S1:X after unmapping X", rights_at(chain_s1(&ch), X_VA), 0);
    CHECK("S2:Y after unmapping X", rights_at(chain_s2(&ch), Y_VA), 0);
    CHECK("S3:Z after unmapping X", rights_at(ch.s3, Z_VA), 0);
    CHECK("live mappings after unmapping X", live_mappings(), before);
    CHECK("the frame itself is untouched", word_at(frame), MAGIC_A);
    /* The page is gone for real: S2's agent touching Y faults and dies. */
    agent_read(&ch.a2, Y_VA, &status);
    CHECK("S2 reading the revoked Y", status, AGENT_GONE | IPC_EDEAD);
out:
    chain_destroy(&ch);
    return verdict(name);
}

/* ==== 3. map_protect_propagates =========================================
 * Lowering a mapping's rights lowers everything derived from it; nothing
 * may be raised above its source's rights now (a root's ceiling is its
 * own rights: the window is read-write-execute); raising a mapping does
 * not raise what was derived from it. */
static int map_protect_propagates(void)
{
    const char *name = "map_protect_propagates";
    struct chain ch;
    uint64_t frame = frame_with(MAGIC_A), before;
    why[0] = 0;
    CHECK("setup", (uint64_t)chain_setup(&ch), 0);
    CHECK("build the chain", chain_build(&ch, frame), IPC_OK);
    before = live_mappings();
    handle_t s1 = chain_s1(&ch), s2 = chain_s2(&ch), s3 = ch.s3;

    CHECK("protect S1:X read-only", sys_protect(s1, X_VA, 1, PAGE_READ), IPC_OK);
    CHECK("S1:X", rights_at(s1, X_VA), PAGE_READ);
    CHECK("S2:Y lowered with X", rights_at(s2, Y_VA), PAGE_READ);
    CHECK("S3:Z lowered with X", rights_at(s3, Z_VA), PAGE_READ);
    CHECK("raise S2:Y above X", sys_protect(s2, Y_VA, 1, RW), IPC_ERIGHTS);
    CHECK("S2:Y after the refusal", rights_at(s2, Y_VA), PAGE_READ);
    CHECK("raise S3:Z above Y", sys_protect(s3, Z_VA, 1, RW), IPC_ERIGHTS);

    CHECK("raise S1:X back to read-write", sys_protect(s1, X_VA, 1, RW), IPC_OK);
    CHECK("S1:X raised", rights_at(s1, X_VA), RW);
    CHECK("S2:Y not raised with X", rights_at(s2, Y_VA), PAGE_READ);
    CHECK("S3:Z not raised with X", rights_at(s3, Z_VA), PAGE_READ);
    CHECK("raise S2:Y to rwx above X's rw", sys_protect(s2, Y_VA, 1, RWX), IPC_ERIGHTS);
    CHECK("raise S2:Y to rw", sys_protect(s2, Y_VA, 1, RW), IPC_OK);
    CHECK("S2:Y raised", rights_at(s2, Y_VA), RW);
    CHECK("raise S3:Z to rw", sys_protect(s3, Z_VA, 1, RW), IPC_OK);
    CHECK("S3:Z raised", rights_at(s3, Z_VA), RW);
    /* The raised rights are real: S2 writes through Y into ktest's frame. */
    CHECK("S2 writes Y", agent_do(&ch.a2, OP_WRITE, Y_VA, MAGIC_B, 0, 0, 0), IPC_OK);
    CHECK("the write reached the frame", word_at(frame), MAGIC_B);

    /* X may go up to its root's rwx; exec does not come down to Y. */
    CHECK("raise S1:X to rwx", sys_protect(s1, X_VA, 1, RWX), IPC_OK);
    CHECK("S2:Y still rw", rights_at(s2, Y_VA), RW);
    CHECK("lower S1:X to r-x", sys_protect(s1, X_VA, 1, RX), IPC_OK);
    CHECK("S2:Y loses write", rights_at(s2, Y_VA), PAGE_READ);
    CHECK("S3:Z loses write", rights_at(s3, Z_VA), PAGE_READ);
    /* The middle: lowering Y leaves X alone. */
    CHECK("raise S1:X to rw", sys_protect(s1, X_VA, 1, RW), IPC_OK);
    CHECK("raise S2:Y to rw", sys_protect(s2, Y_VA, 1, RW), IPC_OK);
    CHECK("raise S3:Z to rw", sys_protect(s3, Z_VA, 1, RW), IPC_OK);
    CHECK("lower S2:Y", sys_protect(s2, Y_VA, 1, PAGE_READ), IPC_OK);
    CHECK("S1:X untouched by Y", rights_at(s1, X_VA), RW);
    CHECK("S3:Z lowered with Y", rights_at(s3, Z_VA), PAGE_READ);
    CHECK("live mappings (protect adds or removes none)", live_mappings(), before);
out:
    chain_destroy(&ch);
    return verdict(name);
}

/* ==== 4. map_replace_revokes ============================================
 * Mapping over a derived mapping replaces it, and what was derived from
 * the old mapping goes with it: the page maps the new frame only. Mapping
 * a page over its own source's source takes the source away first, so
 * nothing is left to map: both are gone. */
static int map_replace_revokes(void)
{
    const char *name = "map_replace_revokes";
    struct chain ch;
    handle_t s1_in_s2 = 0;
    uint64_t f1 = frame_with(MAGIC_A), f2 = frame_with(MAGIC_B), before, v, status;
    why[0] = 0;
    CHECK("setup", (uint64_t)chain_setup(&ch), 0);
    CHECK("reach S1 from S2", !(s1_in_s2 = agent_reach(&ch.a2, chain_s1(&ch))), 0);
    handle_t s1 = chain_s1(&ch), s2 = chain_s2(&ch);
    before = live_mappings();
    CHECK("map f1 at S1:X", sys_map(s1, f1, X_VA, 1, RW), IPC_OK);
    CHECK("derive S2:Y", agent_map(&ch.a1, ch.s2_in_s1, X_VA, Y_VA, RW), IPC_OK);

    CHECK("map f2 over S1:X", sys_map(s1, f2, X_VA, 1, RW), IPC_OK);
    CHECK("S2:Y after the replacement", rights_at(s2, Y_VA), 0);
    CHECK("S1:X after the replacement", rights_at(s1, X_VA), RW);
    CHECK("live mappings after the replacement", live_mappings(), before + 1);
    v = agent_read(&ch.a1, X_VA, &status);
    CHECK("S1 reads X", status, IPC_OK);
    CHECK("S1:X maps the new frame", v, MAGIC_B);

    /* Again, back to f1 with fewer rights. */
    CHECK("derive S2:Y again", agent_map(&ch.a1, ch.s2_in_s1, X_VA, Y_VA, RW), IPC_OK);
    CHECK("map f1 read-only over S1:X", sys_map(s1, f1, X_VA, 1, PAGE_READ), IPC_OK);
    CHECK("S2:Y after the second replacement", rights_at(s2, Y_VA), 0);
    CHECK("S1:X read-only", rights_at(s1, X_VA), PAGE_READ);
    v = agent_read(&ch.a1, X_VA, &status);
    CHECK("S1 reads X again", status, IPC_OK);
    CHECK("S1:X maps f1 again", v, MAGIC_A);
    CHECK("live mappings", live_mappings(), before + 1);

    /* Over its own ancestor: S2 maps Y (derived from S1:X) onto S1:X. */
    CHECK("derive S2:Y a third time", agent_map(&ch.a1, ch.s2_in_s1, X_VA, Y_VA, PAGE_READ),
          IPC_OK);
    CHECK("S2 maps Y over its source S1:X", agent_map(&ch.a2, s1_in_s2, Y_VA, X_VA, PAGE_READ),
          IPC_OK);
    CHECK("S1:X after", rights_at(s1, X_VA), 0);
    CHECK("S2:Y after", rights_at(s2, Y_VA), 0);
    CHECK("live mappings at the end", live_mappings(), before);
out:
    chain_destroy(&ch);
    return verdict(name);
}

/* ==== 4b. fault_reply_replaces_derived ==================================
 * A pager resolving a write fault on a read-only page (copy on write)
 * maps a new frame over it from the fault reply: a leaf is replaced (the
 * fastpath may do it), and a page with a mapping derived from it is
 * replaced with that mapping revoked (the slow path). */

/* Writes value[0]'s page (a leaf), derives value[1]'s page into space
 * ep[1] at value[2], writes value[1]'s page, reports the map's status and
 * what it reads back. */
static uint64_t cow_writer(struct child_args *a)
{
    volatile uint64_t *x1 = (volatile uint64_t *)a->value[0];
    volatile uint64_t *x2 = (volatile uint64_t *)a->value[1];
    *x1 = 1;
    uint64_t r = sys_map(a->ep[1], a->value[1], a->value[2], 1, PAGE_READ);
    *x2 = 2;
    child_report(a, r, *x1 * 16 + *x2);
    return 0;
}

static uint64_t cow_faults, cow_g1, cow_g2, cow_y_before;
static handle_t cow_s2;

static int cow_pager(struct ipc_msg *f, uint64_t badge, struct ipc_msg *reply)
{
    (void)badge;
    uint64_t va = f->w[0] & ~4095ull;
    cow_faults++;
    if (tag_label(f->tag) != FAULT_PAGE || !(f->w[1] & FAULT_ERR_WRITE) ||
        !(f->w[1] & FAULT_ERR_PRESENT) || (va != X_VA && va != X_VA + 4096)) {
        *reply = (struct ipc_msg){ .tag = FAULT_KILL, .w = { FAULT_REASON_PROTECTION } };
        return 0;
    }
    if (va == X_VA + 4096)
        cow_y_before = rights_at(cow_s2, Y_VA);   /* the child derived it */
    *reply = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                               .w = { va == X_VA ? cow_g1 : cow_g2, va, MAP_ITEM(1, RW), 0 } };
    return 1;
}

static int fault_reply_replaces_derived(void)
{
    const char *name = "fault_reply_replaces_derived";
    struct child c = {0};
    handle_t ep = 0;
    uint64_t f1 = frame_with(MAGIC_A), f2 = frame_with(MAGIC_B), before, w0 = ~0ull, w1 = 0;
    why[0] = 0;
    cow_faults = 0;
    cow_y_before = ~0ull;
    cow_s2 = 0;
    cow_g1 = frame_with(0);
    cow_g2 = frame_with(0);
    CHECK("endpoint", sys_endpoint_create(&ep), IPC_OK);
    CHECK("space", sys_space_create(&cow_s2), IPC_OK);
    CHECK("spawn", (uint64_t)child_spawn(&c, cow_writer, ep, ep, 0, CHILD_PRIORITY), 0);
    CHECK("grant", !(c.args->ep[1] = child_grant(&c, cow_s2, RIGHT_MAP, 0)), 0);
    c.args->value[0] = X_VA;
    c.args->value[1] = X_VA + 4096;
    c.args->value[2] = Y_VA;
    CHECK("map f1 read-only", sys_map(c.space, f1, X_VA, 1, PAGE_READ), IPC_OK);
    CHECK("map f2 read-only", sys_map(c.space, f2, X_VA + 4096, 1, PAGE_READ), IPC_OK);
    before = live_mappings();
    sys_thread_start(c.thread);
    CHECK("report", (uint64_t)serve(ep, cow_pager, &w0, &w1), 1);
    CHECK("write faults", cow_faults, 2);
    CHECK("the child's derive", w0, IPC_OK);
    CHECK("S2:Y while its source was read-only", cow_y_before, PAGE_READ);
    CHECK("the child reads back its writes", w1, 0x12);
    CHECK("S2:Y after its source was replaced", rights_at(cow_s2, Y_VA), 0);
    CHECK("X rights", rights_at(c.space, X_VA), RW);
    CHECK("X + 1 rights", rights_at(c.space, X_VA + 4096), RW);
    CHECK("the new frame for X got the write", word_at(cow_g1), 1);
    CHECK("the new frame for X + 1 got the write", word_at(cow_g2), 2);
    CHECK("the old frames are untouched", word_at(f1) ^ word_at(f2), MAGIC_A ^ MAGIC_B);
    CHECK("live mappings (two replaced, Y made and revoked)", live_mappings(), before);
out:
    child_destroy(&c);
    endpoint_free(ep);
    space_free(cow_s2);
    return verdict(name);
}

/* ==== 5. root_mappings_immutable ========================================
 * The kernel's mappings of the root task can be neither unmapped,
 * protected nor mapped over, and give nothing beyond their own rights
 * (the image is read-execute); mappings ktest derives in its own space
 * behave like any other; a map within one space may not overlap itself. */
static int root_mappings_immutable(void)
{
    const char *name = "root_mappings_immutable";
    const handle_t me = HANDLE_ROOT_SPACE;
    handle_t child = 0;
    uint64_t w = frame_with(MAGIC_A), w2 = frame_with(MAGIC_B), before = live_mappings();
    uint64_t text = (uint64_t)__image_start, stack = (uint64_t)&w & ~4095ull;
    uint64_t below = text - 4096;
    why[0] = 0;
    CHECK("child space", sys_space_create(&child), IPC_OK);

    CHECK("window page rights", rights_at(me, w), RWX);
    CHECK("unmap a window page", sys_unmap(me, w, 1), IPC_ERIGHTS);
    CHECK("protect a window page read-only", sys_protect(me, w, 1, PAGE_READ), IPC_ERIGHTS);
    CHECK("protect a window page to its own rights", sys_protect(me, w, 1, RWX), IPC_ERIGHTS);
    CHECK("window page rights after", rights_at(me, w), RWX);
    CHECK("text page rights", rights_at(me, text), RX);
    CHECK("protect the text page", sys_protect(me, text, 1, PAGE_READ), IPC_ERIGHTS);
    CHECK("unmap the text page", sys_unmap(me, text, 1), IPC_ERIGHTS);
    CHECK("text page rights after", rights_at(me, text), RX);
    CHECK("unmap the stack page", sys_unmap(me, stack, 1), IPC_ERIGHTS);
    CHECK("protect the stack page", sys_protect(me, stack, 1, PAGE_READ), IPC_ERIGHTS);
    CHECK("unmap the root info page", sys_unmap(me, ROOT_INFO_ADDR, 1), IPC_ERIGHTS);
    CHECK("stack page rights after", rights_at(me, stack), RW);

    /* Over a root: refused, the page keeps its frame. */
    CHECK("map over a window page", sys_map(me, w2, w, 1, RW), IPC_ERIGHTS);
    CHECK("the window page keeps its frame", word_at(w), MAGIC_A);
    CHECK("map over the text page", sys_map(me, w2, text, 1, RX), IPC_ERIGHTS);

    /* The image gives read-execute, never write. */
    CHECK("text into a child with write", sys_map(child, text, X_VA, 1, RW), IPC_ERIGHTS);
    CHECK("text into a child rwx", sys_map(child, text, X_VA, 1, RWX), IPC_ERIGHTS);
    CHECK("child after the refusal", rights_at(child, X_VA), 0);
    CHECK("text into a child r-x", sys_map(child, text, X_VA, 1, RX), IPC_OK);
    CHECK("child text rights", rights_at(child, X_VA), RX);
    CHECK("the child's text page may not be raised", sys_protect(child, X_VA, 1, RWX),
          IPC_ERIGHTS);

    /* Derived in ktest's own space: an alias of the window page. */
    CHECK("self map to a free address", sys_map(me, w, SCRATCH_VA, 1, RW), IPC_OK);
    CHECK("self map rights", rights_at(me, SCRATCH_VA), RW);
    CHECK("self map reads the frame", word_at(SCRATCH_VA), MAGIC_A);
    *(volatile uint64_t *)SCRATCH_VA = MAGIC_B;
    CHECK("write through the alias", word_at(w), MAGIC_B);
    CHECK("raise the alias to rwx (the window's)", sys_protect(me, SCRATCH_VA, 1, RWX), IPC_OK);
    CHECK("lower the alias", sys_protect(me, SCRATCH_VA, 1, PAGE_READ), IPC_OK);
    CHECK("derive from the alias, adjacent",
          sys_map(me, SCRATCH_VA, SCRATCH_VA + 4096, 1, PAGE_READ), IPC_OK);
    CHECK("derive from the read-only alias with write",
          sys_map(me, SCRATCH_VA, SCRATCH_VA + 2 * 4096, 1, RW), IPC_ERIGHTS);
    CHECK("text alias", sys_map(me, text, SCRATCH_VA + 3 * 4096, 1, RX), IPC_OK);
    CHECK("raise the text alias", sys_protect(me, SCRATCH_VA + 3 * 4096, 1, RWX), IPC_ERIGHTS);

    /* Overlapping source and destination in one space. */
    CHECK("map a page onto itself", sys_map(me, w, w, 1, PAGE_READ), IPC_EINVAL);
    CHECK("overlap, destination above",
          sys_map(me, SCRATCH_VA, SCRATCH_VA + 4096, 2, PAGE_READ), IPC_EINVAL);
    CHECK("overlap, destination below",
          sys_map(me, SCRATCH_VA + 4096, SCRATCH_VA, 2, PAGE_READ), IPC_EINVAL);
    CHECK("self map rights after the refusals", rights_at(me, SCRATCH_VA), PAGE_READ);

    /* A range holding a root and a derived page: all or nothing. */
    if (rights_at(me, below) == 0) {
        CHECK("derive below the image", sys_map(me, w, below, 1, RW), IPC_OK);
        CHECK("unmap derived + text", sys_unmap(me, below, 2), IPC_ERIGHTS);
        CHECK("protect derived + text", sys_protect(me, below, 2, PAGE_READ), IPC_ERIGHTS);
        CHECK("the derived page after", rights_at(me, below), RW);
        CHECK("unmap the derived page", sys_unmap(me, below, 1), IPC_OK);
        CHECK("the derived page gone", rights_at(me, below), 0);
    }

    CHECK("unmap the alias", sys_unmap(me, SCRATCH_VA, 1), IPC_OK);
    CHECK("alias gone", rights_at(me, SCRATCH_VA), 0);
    CHECK("what was derived from it gone", rights_at(me, SCRATCH_VA + 4096), 0);
    CHECK("unmap the text alias", sys_unmap(me, SCRATCH_VA + 3 * 4096, 1), IPC_OK);
    CHECK("the window page still mapped", rights_at(me, w), RWX);
    CHECK("the window page's frame", word_at(w), MAGIC_B);
    space_free(child);
    child = 0;
    CHECK("live mappings back", live_mappings(), before);
out:
    space_free(child);
    sys_unmap(me, SCRATCH_VA, 4);
    return verdict(name);
}

/* ==== 6. mapdb_wide_and_deep_no_leak ====================================
 * Wide: 1000 mappings of one window page across four spaces, one map call
 * each: 500 made by ktest straight from the page (children of a root),
 * 500 made by an agent from its own derived copy of it (siblings under
 * one derived node); torn down by unmapping that copy and then destroying
 * the spaces, or by destroying the spaces first. Deep: a chain of DEPTH levels alternating
 * between two spaces, every level derived from the one before; lowered
 * from the top, then removed by one unmap at the top, or cut by
 * destroying one of the spaces. After a warm-up, each round gives back
 * exactly the mappings, objects and kernel frames it took. */

#define WIDE_SPACES 4
#define WIDE_PER_SPACE 125
#define WIDE_ROOT_STRIDE 0x11000ull    /* 17 pages: several page tables */
#define DEPTH 1000

/* Level k of the deep chain: in A for even k, B for odd, one page each. */
static uint64_t deep_va(unsigned k) { return DEEP_BASE + (k / 2) * 4096ull; }

static int wide_round(int spaces_first)
{
    struct agent a0;
    handle_t d[WIDE_SPACES] = {0}, in_a0[WIDE_SPACES] = {0};
    uint64_t w = frame_with(MAGIC_A), base, base0;
    base = live_mappings();
    CHECK("wide: spawn", (uint64_t)agent_spawn(&a0), 0);
    base0 = live_mappings();
    CHECK("wide: X", sys_map(a0.c.space, w, X_VA, 1, RW), IPC_OK);
    for (unsigned i = 0; i < WIDE_SPACES; i++) {
        CHECK("wide: space", sys_space_create(&d[i]), IPC_OK);
        CHECK("wide: reach", !(in_a0[i] = agent_reach(&a0, d[i])), 0);
        for (unsigned j = 0; j < WIDE_PER_SPACE; j++)
            CHECK("wide: map the root page",
                  sys_map(d[i], w, WIDE_ROOT_BASE + j * WIDE_ROOT_STRIDE, 1, RW), IPC_OK);
        CHECK("wide: the agent maps X",
              agent_do(&a0, OP_MAP_RUN, in_a0[i], X_VA, WIDE_DERIVED_BASE,
                       (uint64_t)WIDE_PER_SPACE << 8 | RW, 0), IPC_OK);
    }
    CHECK("wide: live mappings", live_mappings(),
          base0 + 1 + 2 * WIDE_SPACES * WIDE_PER_SPACE);
    CHECK("wide: a root child", rights_at(d[3], WIDE_ROOT_BASE + 124 * WIDE_ROOT_STRIDE), RW);
    CHECK("wide: a derived child", rights_at(d[2], WIDE_DERIVED_BASE + 77 * 4096), RW);
    if (spaces_first) {
        for (unsigned i = 0; i < WIDE_SPACES; i++) {
            space_free(d[i]);
            d[i] = 0;
        }
        CHECK("wide: live mappings without the spaces", live_mappings(), base0 + 1);
        CHECK("wide: X without its children", rights_at(a0.c.space, X_VA), RW);
        CHECK("wide: unmap X", sys_unmap(a0.c.space, X_VA, 1), IPC_OK);
    } else {
        CHECK("wide: unmap X", sys_unmap(a0.c.space, X_VA, 1), IPC_OK);
        CHECK("wide: live mappings without X's children", live_mappings(),
              base0 + WIDE_SPACES * WIDE_PER_SPACE);
        CHECK("wide: a derived child gone", rights_at(d[1], WIDE_DERIVED_BASE + 5 * 4096), 0);
        CHECK("wide: a root child stays", rights_at(d[1], WIDE_ROOT_BASE + 5 * WIDE_ROOT_STRIDE),
              RW);
        for (unsigned i = 0; i < WIDE_SPACES; i++) {
            space_free(d[i]);
            d[i] = 0;
        }
    }
    CHECK("wide: live mappings after", live_mappings(), base0);
    for (unsigned i = 0; i < WIDE_SPACES; i++)
        CHECK("wide: close the agent's handle", agent_do(&a0, OP_CLOSE, in_a0[i], 0, 0, 0, 0),
              IPC_OK);
    agent_destroy(&a0);
    CHECK("wide: live mappings without the agent", live_mappings(), base);
    return 0;
out:
    for (unsigned i = 0; i < WIDE_SPACES; i++)
        space_free(d[i]);
    agent_destroy(&a0);
    return -1;
}

static int deep_round(int destroy_b)
{
    struct agent ag[2];
    handle_t other[2] = {0};             /* in agent i: the other space */
    uint64_t w = frame_with(MAGIC_A), base, base_a, base_ab, v, status;
    memset(ag, 0, sizeof(ag));
    base = live_mappings();
    CHECK("deep: spawn A", (uint64_t)agent_spawn(&ag[0]), 0);
    base_a = live_mappings();
    CHECK("deep: spawn B", (uint64_t)agent_spawn(&ag[1]), 0);
    base_ab = live_mappings();
    CHECK("deep: reach B", !(other[0] = agent_reach(&ag[0], ag[1].c.space)), 0);
    CHECK("deep: reach A", !(other[1] = agent_reach(&ag[1], ag[0].c.space)), 0);
    handle_t a = ag[0].c.space, b = ag[1].c.space;
    CHECK("deep: level 0", sys_map(a, w, deep_va(0), 1, RW), IPC_OK);
    for (unsigned k = 0; k + 1 < DEPTH; k++)
        CHECK("deep: next level", agent_map(&ag[k % 2], other[k % 2], deep_va(k), deep_va(k + 1), RW),
              IPC_OK);
    CHECK("deep: live mappings", live_mappings(), base_ab + DEPTH);
    handle_t last = (DEPTH - 1) % 2 ? b : a;
    CHECK("deep: the last level", rights_at(last, deep_va(DEPTH - 1)), RW);
    v = agent_read(&ag[(DEPTH - 1) % 2], deep_va(DEPTH - 1), &status);
    CHECK("deep: read the last level", status, IPC_OK);
    CHECK("deep: the last level maps the frame", v, MAGIC_A);

    CHECK("deep: lower the top", sys_protect(a, deep_va(0), 1, PAGE_READ), IPC_OK);
    CHECK("deep: the last level lowered", rights_at(last, deep_va(DEPTH - 1)), PAGE_READ);
    CHECK("deep: a middle level lowered", rights_at(b, deep_va(DEPTH / 2 + 1)), PAGE_READ);
    CHECK("deep: raise the top", sys_protect(a, deep_va(0), 1, RW), IPC_OK);
    CHECK("deep: the last level stays", rights_at(last, deep_va(DEPTH - 1)), PAGE_READ);

    if (destroy_b) {
        /* Every odd level is in B: all but level 0 go with it. */
        agent_destroy(&ag[1]);
        CHECK("deep: live mappings without B", live_mappings(), base_a + 1);
        CHECK("deep: level 0 stays", rights_at(a, deep_va(0)), RW);
        CHECK("deep: level 2 gone", rights_at(a, deep_va(2)), 0);
        CHECK("deep: level DEPTH - 2 gone", rights_at(a, deep_va(DEPTH - 2)), 0);
        CHECK("deep: close", agent_do(&ag[0], OP_CLOSE, other[0], 0, 0, 0, 0), IPC_OK);
        CHECK("deep: unmap level 0", sys_unmap(a, deep_va(0), 1), IPC_OK);
        CHECK("deep: live mappings after", live_mappings(), base_a);
    } else {
        CHECK("deep: unmap the top", sys_unmap(a, deep_va(0), 1), IPC_OK);
        CHECK("deep: live mappings after", live_mappings(), base_ab);
        CHECK("deep: the last level gone", rights_at(last, deep_va(DEPTH - 1)), 0);
        CHECK("deep: a middle level gone", rights_at(b, deep_va(DEPTH / 2 + 1)), 0);
        CHECK("deep: close in A", agent_do(&ag[0], OP_CLOSE, other[0], 0, 0, 0, 0), IPC_OK);
        CHECK("deep: close in B", agent_do(&ag[1], OP_CLOSE, other[1], 0, 0, 0, 0), IPC_OK);
        agent_destroy(&ag[1]);
    }
    agent_destroy(&ag[0]);
    CHECK("deep: live mappings without the agents", live_mappings(), base);
    return 0;
out:
    agent_destroy(&ag[0]);
    agent_destroy(&ag[1]);
    return -1;
}

/* One of each way to tear down. */
static int wide_deep_rounds(void)
{
    return wide_round(0) || wide_round(1) || deep_round(0) || deep_round(1) ? -1 : 0;
}

static int mapdb_wide_and_deep_no_leak(void)
{
    const char *name = "mapdb_wide_and_deep_no_leak";
    uint64_t maps, objects, frames;
    why[0] = 0;
    if (wide_deep_rounds())             /* warm-up: slabs, node pool, handle tables grow */
        goto out;
    maps = live_mappings();
    objects = sys_kernel_info(KINFO_OBJECTS);
    frames = sys_kernel_info(KINFO_FREE_FRAMES);
    for (int i = 0; i < 2; i++) {
        if (wide_deep_rounds())
            goto out;
        CHECK("live mappings after a round", live_mappings(), maps);
        CHECK("live objects after a round", sys_kernel_info(KINFO_OBJECTS), objects);
        CHECK("kernel free frames after a round", sys_kernel_info(KINFO_FREE_FRAMES), frames);
    }
    printf("ktest: mapdb rounds: %lu mappings, %lu objects, %lu kernel frames free, each time\n",
           maps, objects, frames);
out:
    return verdict(name);
}

/* ==== 7. pager_binding_rights ===========================================
 * Only the holder of a space's map right binds its pager, and only with
 * an endpoint handle carrying send and grant; the fault arrives with the
 * badge of the handle bound last (which may be closed since); a refused
 * binding changes nothing; with the pager cleared, the next fault kills
 * the task. */
static int pager_binding_rights(void)
{
    const char *name = "pager_binding_rights";
    struct child c = {0};
    handle_t ep = 0, weak = 0, send_only = 0, grant_only = 0, b1 = 0, b2 = 0;
    struct ipc_msg m;
    struct ipc_status st;
    why[0] = 0;
    CHECK("endpoint", sys_endpoint_create(&ep), IPC_OK);
    CHECK("spawn", (uint64_t)child_spawn(&c, fault_reader, ep, HANDLE_NONE, 0, 12), 0);
    c.args->value[0] = PAGER_FAULT_ADDR;
    CHECK("weak", sys_handle_grant(HANDLE_ROOT_SPACE, c.space, RIGHT_THREAD, 0, &weak), IPC_OK);
    CHECK("send only", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND, 0, &send_only),
          IPC_OK);
    CHECK("grant only", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_GRANT, 0, &grant_only),
          IPC_OK);
    CHECK("badged 1", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND | RIGHT_GRANT, 0xb1, &b1),
          IPC_OK);
    CHECK("badged 2", sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND | RIGHT_GRANT, 0xb2, &b2),
          IPC_OK);

    CHECK("bind with a thread-only space handle", sys_space_set_pager(weak, b1), IPC_ERIGHTS);
    CHECK("bind a send-only endpoint handle", sys_space_set_pager(c.space, send_only),
          IPC_ERIGHTS);
    CHECK("bind a grant-only endpoint handle", sys_space_set_pager(c.space, grant_only),
          IPC_ERIGHTS);
    CHECK("bind badge 0xb1", sys_space_set_pager(c.space, b1), IPC_OK);
    CHECK("rebind with a thread-only space handle", sys_space_set_pager(weak, b2), IPC_ERIGHTS);
    CHECK("rebind with a send-only handle", sys_space_set_pager(c.space, send_only),
          IPC_ERIGHTS);
    sys_handle_close(b1);                /* the binding holds its own reference */
    b1 = 0;

    sys_thread_start(c.thread);
    m = (struct ipc_msg){0};
    st = sys_recv(ep, &m);
    CHECK("first fault", st.status, IPC_OK);
    CHECK("first fault label", tag_label(m.tag), FAULT_PAGE);
    CHECK("first fault address", m.w[0], PAGER_FAULT_ADDR);
    CHECK("first fault badge (refused bindings changed nothing)", st.badge, 0xb1);

    /* Rebind while the child waits; resume it unresolved: it faults again. */
    CHECK("bind badge 0xb2", sys_space_set_pager(c.space, b2), IPC_OK);
    sys_handle_close(b2);
    b2 = 0;
    m = (struct ipc_msg){ .tag = FAULT_RESUME };
    st = sys_reply_recv(ep, &m);
    CHECK("second fault", st.status, IPC_OK);
    CHECK("second fault label", tag_label(m.tag), FAULT_PAGE);
    CHECK("second fault address", m.w[0], PAGER_FAULT_ADDR);
    CHECK("second fault badge", st.badge, 0xb2);

    /* Cleared: the retried access faults with no pager and the task dies. */
    CHECK("clear the pager", sys_space_set_pager(c.space, HANDLE_NONE), IPC_OK);
    CHECK("resume", sys_reply(&(struct ipc_msg){ .tag = FAULT_RESUME }), IPC_OK);
    CHECK("the child dies at its next fault", (uint64_t)wait_until(c.thread, ~0ull), 1);
out:
    child_destroy(&c);
    handle_t hs[] = { weak, send_only, grant_only, b1, b2 };
    for (unsigned i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
        if (hs[i])
            sys_handle_close(hs[i]);
    endpoint_free(ep);
    return verdict(name);
}

int tests_mapdb(void)
{
    int failed = 0;
    failed += fault_reply_rejected("fault_reply_rejected_fast", 0);
    failed += fault_reply_rejected("fault_reply_rejected_slow", 1);
    failed += fault_reply_rejected_root_space();
    failed += map_chain_revoked();
    failed += map_protect_propagates();
    failed += map_replace_revokes();
    failed += fault_reply_replaces_derived();
    failed += root_mappings_immutable();
    failed += mapdb_wide_and_deep_no_leak();
    failed += pager_binding_rights();
    return failed;
}
