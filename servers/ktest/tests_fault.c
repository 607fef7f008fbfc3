/* Fault reflection: faults reach ktest as pager, which maps, kills, or
 * lets the kernel kill; only the faulter is ever affected. */
#include "ktest.h"

#define DEMAND_ADDR 0x0000100000000000ull   /* nothing mapped there */

/* Touches fresh pages: each read must see zero, then write and read back. */
static uint64_t toucher(struct child_args *a)
{
    uint64_t ok = 0;
    for (uint64_t i = 0; i < a->value[0]; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(DEMAND_ADDR + i * 4096 + 8 * i);
        if (*p == 0) {
            *p = 0xabc0 + i;
            ok += *p == 0xabc0 + i;
        }
    }
    child_report(a, ok, 0);
    return 0;
}

static uint64_t faults_seen, last_error;

/* Demand-zero pager: a zeroed frame for each not-present fault. */
static int zero_pager(struct ipc_msg *f, uint64_t badge, struct ipc_msg *reply)
{
    (void)badge;
    faults_seen++;
    last_error = f->w[1];
    uint64_t frame = frame_new();
    if (tag_label(f->tag) != FAULT_PAGE || !frame) {
        *reply = (struct ipc_msg){ .tag = FAULT_KILL, .w = { FAULT_REASON_EXCEPTION } };
        return 0;
    }
    *reply = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                               .w = { frame, f->w[0] & ~4095ull,
                                      MAP_ITEM(1, PAGE_READ | PAGE_WRITE), 0 } };
    return 1;
}

static int demand_zero(void)
{
    const char *name = "fault_demand_zero";
    handle_t ep;
    struct child c;
    faults_seen = 0;
    if (sys_endpoint_create(&ep) || child_spawn(&c, toucher, ep, ep, 7, CHILD_PRIORITY))
        return test_fail(name, "setup failed");
    c.args->value[0] = 5;
    sys_thread_start(c.thread);
    uint64_t ok = 0, unused;
    int got = serve(ep, zero_pager, &ok, &unused);
    child_destroy(&c);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    if (!got || ok != 5)
        return test_fail(name, "%lu of 5 pages read zero and kept a write", ok);
    if (faults_seen != 5)
        return test_fail(name, "%lu faults for 5 fresh pages", faults_seen);
    if ((last_error & (FAULT_ERR_USER | FAULT_ERR_PRESENT)) != FAULT_ERR_USER)
        return test_fail(name, "fault error code 0x%lx lacks user / has present", last_error);
    return test_pass(name);
}

/* ---- faults nobody resolves ---- */

static uint64_t got_vector, got_label, got_badge;

static int killer(struct ipc_msg *f, uint64_t badge, struct ipc_msg *reply)
{
    got_label = tag_label(f->tag);
    got_vector = f->w[3];
    got_badge = badge;
    uint64_t reason = got_label == FAULT_PAGE ? FAULT_REASON_INVALID_ADDRESS
                                              : FAULT_REASON_EXCEPTION;
    *reply = (struct ipc_msg){ .tag = FAULT_KILL, .w = { reason } };
    return 0;
}

static uint64_t bad_read(struct child_args *a)
{
    (void)a;
    return *(volatile uint64_t *)0xdead000ull;
}

static uint64_t kernel_read(struct child_args *a)
{
    (void)a;
    return *(volatile uint64_t *)0xffff800000001000ull;   /* the direct map */
}

static uint64_t do_ud(struct child_args *a)
{
    (void)a;
    __asm__ volatile("ud2");
    return 0;
}

static uint64_t do_de(struct child_args *a)
{
    volatile uint64_t zero = a->value[1];
    return 100 / zero;
}

static uint64_t do_gp(struct child_args *a)
{
    (void)a;
    __asm__ volatile("hlt");          /* privileged: #GP in user mode */
    return 0;
}

static uint64_t do_sse(struct child_args *a)
{
    (void)a;
    __asm__ volatile(".byte 0x0f, 0x57, 0xc0");   /* xorps %xmm0, %xmm0 */
    return 0;
}

static uint64_t do_write_text(struct child_args *a)
{
    *(volatile uint8_t *)(uint64_t)a->fn = 0xcc;   /* our own code: read-only */
    return 0;
}

/* The child faults; ktest (its pager) answers KILL; the kernel prints the
 * box and the child is gone. */
static int killed_by_pager(const char *name, uint64_t (*fn)(struct child_args *),
                           uint64_t label, uint64_t vector)
{
    handle_t ep;
    struct child c;
    got_vector = got_label = got_badge = ~0ull;
    if (sys_endpoint_create(&ep) || child_spawn(&c, fn, ep, ep, 0x77, CHILD_PRIORITY))
        return test_fail(name, "setup failed");
    sys_thread_start(c.thread);
    uint64_t w0, w1;
    int report = serve(ep, killer, &w0, &w1);
    uint64_t start = sys_thread_start(c.thread);    /* dead now: IPC_EDEAD */
    child_destroy(&c);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    if (report)
        return test_fail(name, "the child ran on past its fault");
    /* SSE with CR0.EM and CR0.TS set: #UD on some CPUs, #NM on others. */
    int vector_ok = got_vector == vector || (vector == 6 && fn == do_sse && got_vector == 7);
    if (got_label != label || !vector_ok)
        return test_fail(name, "fault label 0x%lx vector %lu, expected 0x%lx vector %lu",
                         got_label, got_vector, label, vector);
    if (got_badge != 0x77)
        return test_fail(name, "fault badge 0x%lx, expected 0x77", got_badge);
    if (start != IPC_EDEAD)
        return test_fail(name, "the killed thread is not dead (start gave %lu)", start);
    return test_pass(name);
}

/* Without a pager the kernel kills the task by itself. */
static int killed_without_pager(void)
{
    const char *name = "fault_without_pager_kills";
    struct child c;
    if (child_spawn(&c, do_ud, 0, 0, 0, 12))
        return test_fail(name, "setup failed");
    sys_thread_start(c.thread);
    int died = wait_until(c.thread, ~0ull);   /* equal priority: it runs and dies */
    uint64_t start = sys_thread_start(c.thread);
    child_destroy(&c);
    if (!died || start != IPC_EDEAD)
        return test_fail(name, "thread survived (start gave %lu)", start);
    return test_pass(name);
}

/* A fault waits in the send queue of a pager endpoint nobody receives on;
 * the endpoint is destroyed: the faulter dies with the box, nothing else
 * (the fuzzer once found this path taking the thread out of the queue
 * twice). */
static int pager_endpoint_destroyed(void)
{
    const char *name = "fault_pager_endpoint_destroyed";
    handle_t ep;
    struct child c;
    if (sys_endpoint_create(&ep) || child_spawn(&c, bad_read, 0, ep, 5, 12))
        return test_fail(name, "setup failed");
    sys_thread_start(c.thread);
    if (!wait_until(c.thread, THREAD_BLOCKED_SEND))
        return test_fail(name, "the fault never reached the endpoint");
    sys_endpoint_destroy(ep);
    uint64_t status, st = sys_thread_state(c.thread, &status);
    child_destroy(&c);
    sys_handle_close(ep);
    if (status != IPC_EDEAD)
        return test_fail(name, "faulter not killed (state %lu, status %lu)", st, status);
    return test_pass(name);
}

int tests_fault(void)
{
    int failed = demand_zero();
    failed += killed_by_pager("fault_unmapped_killed", bad_read, FAULT_PAGE, 14);
    failed += killed_by_pager("fault_kernel_address_killed", kernel_read, FAULT_PAGE, 14);
    failed += killed_by_pager("fault_write_text_killed", do_write_text, FAULT_PAGE, 14);
    failed += killed_by_pager("exception_ud_killed", do_ud, FAULT_EXCEPTION, 6);
    failed += killed_by_pager("exception_de_killed", do_de, FAULT_EXCEPTION, 0);
    failed += killed_by_pager("exception_gp_killed", do_gp, FAULT_EXCEPTION, 13);
    failed += killed_by_pager("exception_sse_killed", do_sse, FAULT_EXCEPTION, 6);
    failed += killed_without_pager();
    failed += pager_endpoint_destroyed();
    failed += demand_zero();           /* and the system goes on as before */
    return failed;
}
