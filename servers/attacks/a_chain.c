/*
 * a_chain: an ordinary process hides a page behind a chain of spaces it
 * created, each link made by a thread running in the previous space:
 *
 *   A (our page) -> S1:X   sys_map by us
 *   S1:X -> S2:Y           sys_map by thread T1 in S1 (a handle to S2 granted into S1)
 *   S2:Y -> S3:Z           sys_map by thread T2 in S2 (a handle to S3 granted into S2)
 *
 * With no record of derivation, giving A back to the pager would leave Y
 * and Z mapping the frame the pager hands out next. Now:
 *
 *   chain_of_three_revoked   munmap(A): X, Y and Z all go at once
 *   chain_middle_unmapped    sys_unmap(S1, X): Y and Z go, A stays mapped
 *   chain_middle_downgraded  sys_protect(S1, X, read): Y loses write, A keeps it
 *   chain_same_space_tlb     a thread in S1 derives W from X in S1 itself, reads
 *                            W, unmaps X: its next read of W faults (the TLB
 *                            entry of the running space went too)
 *   chain_running_space_tlb  the same when the page unmapped (S2:Y) is in
 *                            another space and only what was derived from it
 *                            (S1:W) is in the running one
 *   chain_running_space_tlb_protect  the same with S2:Y made read-only: the
 *                            next write through S1:W faults
 *   chain_no_leak            mapping nodes, kernel objects, pager frames and
 *                            kernel frames back where they were
 *
 * The attack runs twice; the second run is measured (steady state: the
 * first builds the pager's and the kernel's lazily made tables for the
 * addresses involved, which stay). Exit status 0 only if everything passed.
 */
#include "attack.h"

#define X_VA       0x0000500000000000ul   /* in S1 */
#define Y_VA       0x0000510000000000ul   /* in S2 */
#define Z_VA       0x0000520000000000ul   /* in S3 */
#define LBL_REPORT 0x7e02ull
#define MAGIC      0xc4a1edc4a1edc4a1ul

/* ---- one link, made from inside a space ---------------------------------- */

struct step_args {
    handle_t ep, target;                /* handles in the thread's own space */
    uint64_t src, dst, rights;
    volatile uint64_t status;
};

/* Runs in S1 or S2: maps its own page src into `target` at dst. */
static void __attribute__((noreturn)) step_thread(void *arg)
{
    struct step_args *a = arg;
    uint64_t st = sys_map(a->target, a->src, a->dst, 1, (uint32_t)a->rights);
    a->status = st;
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { st, 0, 0, 0 } };
    sys_send(a->ep, &m);
    sys_exit(0);
}

struct chain {
    handle_t ep, s3;
    struct vm v1, v2;
    uint64_t a;
};

static void chain_destroy(struct chain *c)
{
    vm_destroy(&c->v1);
    vm_destroy(&c->v2);
    space_drop(c->s3);
    endpoint_drop(c->ep);
    if (c->a)
        munmap(c->a, PAGE);
    memset(c, 0, sizeof(*c));
}

/* Runs one link: a thread in v maps src there into `target` (our handle)
 * at dst. 0 or a failure already reported. */
static int chain_step(const char *name, struct vm *v, handle_t ep, handle_t target, uint64_t src,
                      uint64_t dst, uint32_t rights)
{
    handle_t in_v;
    uint64_t err = sys_handle_grant(v->space, target, RIGHT_MAP, 0, &in_v);
    if (err)
        return fail(name, "granting the next space into the link's space: %lu", err);
    struct step_args *a = vm_args(v);
    *a = (struct step_args){ .ep = v->ep_in, .target = in_v, .src = src, .dst = dst,
                             .rights = rights, .status = ~0ull };
    if (vm_thread(v, step_thread))
        return fail(name, "thread_create/start failed");
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != LBL_REPORT)
        return fail(name, "expected the link's report: status %lu label 0x%lx addr 0x%lx",
                    st.status, tag_label(m.tag), m.w[0]);
    if (m.w[0] != IPC_OK)
        return fail(name, "sys_map(0x%lx -> 0x%lx) from inside a space = %lu", src, dst, m.w[0]);
    return 0;
}

/* A -> S1:X -> S2:Y -> S3:Z, each link derived from the one before. */
static int chain_build(const char *name, struct chain *c)
{
    memset(c, 0, sizeof(*c));
    if (!(c->a = page_new(MAGIC)))
        return fail(name, "mmap failed");
    if (sys_endpoint_create(&c->ep) || sys_space_create(&c->s3))
        return fail(name, "endpoint / space create failed");
    int e;
    if ((e = vm_build(&c->v1, c->ep)) || (e = vm_build(&c->v2, c->ep)))
        return fail(name, "building a space failed (step %d)", -e);
    uint64_t err = sys_map(c->v1.space, c->a, X_VA, 1, PAGE_READ | PAGE_WRITE);
    if (err)
        return fail(name, "sys_map(S1, A, X) = %lu", err);
    if (chain_step(name, &c->v1, c->ep, c->v2.space, X_VA, Y_VA, PAGE_READ | PAGE_WRITE) ||
        chain_step(name, &c->v2, c->ep, c->s3, Y_VA, Z_VA, PAGE_READ))
        return 1;
    uint32_t x = rw_rights(c->v1.space, X_VA), y = rw_rights(c->v2.space, Y_VA),
             z = rw_rights(c->s3, Z_VA);
    if (x != (PAGE_READ | PAGE_WRITE) || y != (PAGE_READ | PAGE_WRITE) || z != PAGE_READ)
        return fail(name, "chain rights X %u Y %u Z %u, expected 3 3 1", x, y, z);
    return 0;
}

/* ---- the tests ----------------------------------------------------------- */

static int chain_of_three_revoked(void)
{
    const char *name = "chain_of_three_revoked";
    struct chain c;
    int r = 1;
    if (chain_build(name, &c))
        goto out;
    uint64_t nodes = sys_kernel_info(KINFO_MAPPINGS);
    if (munmap(c.a, PAGE)) {
        fail(name, "munmap(A) failed");
        goto out;
    }
    c.a = 0;
    uint64_t gone = nodes - sys_kernel_info(KINFO_MAPPINGS);
    uint32_t x = rw_rights(c.v1.space, X_VA), y = rw_rights(c.v2.space, Y_VA),
             z = rw_rights(c.s3, Z_VA);
    if (x || y || z) {
        fail(name, "after munmap(A): S1:X %u, S2:Y %u, S3:Z %u (all must be 0)", x, y, z);
        goto out;
    }
    if (gone != 4) {
        fail(name, "munmap(A) removed %ld mapping nodes, expected 4 (A, X, Y, Z)", (int64_t)gone);
        goto out;
    }
    /* New memory must not be reachable from the old links. */
    uint64_t b = page_new(MAGIC ^ 1);
    x = rw_rights(c.v1.space, X_VA), y = rw_rights(c.v2.space, Y_VA), z = rw_rights(c.s3, Z_VA);
    if (b)
        munmap(b, PAGE);
    if (!b || x || y || z) {
        fail(name, "after a new mmap: S1:X %u, S2:Y %u, S3:Z %u%s", x, y, z,
             b ? "" : " (mmap failed)");
        goto out;
    }
    r = pass(name);
out:
    chain_destroy(&c);
    return r;
}

static int chain_middle_unmapped(void)
{
    const char *name = "chain_middle_unmapped";
    struct chain c;
    int r = 1;
    if (chain_build(name, &c))
        goto out;
    uint64_t nodes = sys_kernel_info(KINFO_MAPPINGS);
    uint64_t err = sys_unmap(c.v1.space, X_VA, 1);
    uint64_t gone = nodes - sys_kernel_info(KINFO_MAPPINGS);
    if (err) {
        fail(name, "sys_unmap(S1, X) = %lu", err);
        goto out;
    }
    uint32_t x = rw_rights(c.v1.space, X_VA), y = rw_rights(c.v2.space, Y_VA),
             z = rw_rights(c.s3, Z_VA);
    if (x || y || z) {
        fail(name, "after sys_unmap(S1, X): S1:X %u, S2:Y %u, S3:Z %u (all must be 0)", x, y, z);
        goto out;
    }
    if (gone != 3) {
        fail(name, "sys_unmap(S1, X) removed %ld mapping nodes, expected 3 (X, Y, Z)",
             (int64_t)gone);
        goto out;
    }
    /* A is untouched: still mapped (no fault to read it) and readable. */
    uint64_t pf = page_faults();
    uint64_t v = *(volatile uint64_t *)c.a;
    *(volatile uint64_t *)c.a = v + 1;
    uint64_t pf2 = page_faults();
    if (v != MAGIC || *(volatile uint64_t *)c.a != MAGIC + 1) {
        fail(name, "A reads 0x%lx, expected 0x%lx", v, MAGIC);
        goto out;
    }
    if (pf2 != pf) {
        fail(name, "A was no longer mapped: reading and writing it took %lu faults", pf2 - pf);
        goto out;
    }
    r = pass(name);
out:
    chain_destroy(&c);
    return r;
}

static int chain_middle_downgraded(void)
{
    const char *name = "chain_middle_downgraded";
    struct chain c;
    int r = 1;
    if (chain_build(name, &c))
        goto out;
    uint64_t err = sys_protect(c.v1.space, X_VA, 1, PAGE_READ);
    if (err) {
        fail(name, "sys_protect(S1, X, read) = %lu", err);
        goto out;
    }
    uint32_t x = rw_rights(c.v1.space, X_VA), y = rw_rights(c.v2.space, Y_VA),
             z = rw_rights(c.s3, Z_VA);
    if (x != PAGE_READ || y != PAGE_READ || z != PAGE_READ) {
        fail(name, "after sys_protect(S1, X, read): X %u, Y %u, Z %u (expected 1 1 1)", x, y, z);
        goto out;
    }
    /* X back to read+write is within A; Y may not follow on its own. */
    if ((err = sys_protect(c.v1.space, X_VA, 1, PAGE_READ | PAGE_WRITE))) {
        fail(name, "sys_protect(S1, X, rw) back within A = %lu", err);
        goto out;
    }
    if ((y = rw_rights(c.v2.space, Y_VA)) != PAGE_READ) {
        fail(name, "raising X reached Y (rights %u)", y);
        goto out;
    }
    /* A keeps its write right: writing it takes no fault. */
    uint64_t pf = page_faults();
    *(volatile uint64_t *)c.a = MAGIC + 2;
    uint64_t pf2 = page_faults();
    if (pf2 != pf || *(volatile uint64_t *)c.a != MAGIC + 2) {
        fail(name, "A lost its mapping or value (%lu faults to write it)", pf2 - pf);
        goto out;
    }
    r = pass(name);
out:
    chain_destroy(&c);
    return r;
}

/* ---- chain_same_space_tlb -------------------------------------------------- */

#define W_VA 0x0000530000000000ul         /* in S1: derived from S1:X */

struct tlb_args {
    handle_t ep, self;                  /* in S1's table: E, and S1 itself */
    uint64_t x, w;
    volatile uint64_t map_status, first, unmap_status;
};

/* Runs in S1: derives W from X in its own space, reads W (the translation
 * is now cached), unmaps X, and reads W again: that must fault, not hit a
 * stale TLB entry. */
static void __attribute__((noreturn)) tlb_thread(void *arg)
{
    struct tlb_args *a = arg;
    a->map_status = sys_map(a->self, a->x, a->w, 1, PAGE_READ);
    a->first = *(volatile uint64_t *)a->w;
    a->unmap_status = sys_unmap(a->self, a->x, 1);
    uint64_t v = *(volatile uint64_t *)a->w;
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { v, 0, 0, 0 } };
    sys_send(a->ep, &m);
    sys_exit(0);
}

static int chain_same_space_tlb(void)
{
    const char *name = "chain_same_space_tlb";
    struct chain c;
    int r = 1;
    if (chain_build(name, &c))
        goto out;
    handle_t self_in;
    uint64_t err = sys_handle_grant(c.v1.space, c.v1.space, RIGHT_MAP, 0, &self_in);
    if (err) {
        fail(name, "granting S1 into itself: %lu", err);
        goto out;
    }
    struct tlb_args *a = vm_args(&c.v1);
    *a = (struct tlb_args){ .ep = c.v1.ep_in, .self = self_in, .x = X_VA, .w = W_VA,
                            .map_status = ~0ull, .first = 0, .unmap_status = ~0ull };
    if (vm_thread(&c.v1, tlb_thread)) {
        fail(name, "thread_create/start failed");
        goto out;
    }
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(c.ep, &m);
    if (a->map_status || a->first != MAGIC || a->unmap_status) {
        fail(name, "in S1: map X->W = %lu, read W = 0x%lx, unmap X = %lu", a->map_status,
             a->first, a->unmap_status);
        goto out;
    }
    if (st.status || tag_label(m.tag) != FAULT_PAGE || m.w[0] != W_VA) {
        if (!st.status && tag_label(m.tag) == LBL_REPORT)
            fail(name, "W still read 0x%lx after X was unmapped in the running space (stale TLB)",
                 m.w[0]);
        else
            fail(name, "expected a fault at W: status %lu label 0x%lx addr 0x%lx", st.status,
                 tag_label(m.tag), m.w[0]);
        goto out;
    }
    uint32_t x = rw_rights(c.v1.space, X_VA), w = rw_rights(c.v1.space, W_VA),
             y = rw_rights(c.v2.space, Y_VA), z = rw_rights(c.s3, Z_VA);
    if (x || w || y || z) {
        fail(name, "after S1 unmapped X: X %u, W %u, Y %u, Z %u (all must be 0)", x, w, y, z);
        goto out;
    }
    if (*(volatile uint64_t *)c.a != MAGIC) {
        fail(name, "A lost its value");
        goto out;
    }
    r = pass(name);                       /* T1 stays blocked on its fault: destroyed below */
out:
    chain_destroy(&c);
    return r;
}

/* ---- chain_running_space_tlb ----------------------------------------------- */

struct tlb2_args {
    handle_t ep, other;                 /* in S1's table: E, and S2 */
    uint64_t w, y, protect;             /* protect: lower Y to read, else unmap it */
    volatile uint64_t first, op_status;
};

/* Runs in S1: uses W (derived from S2:Y) so that its translation is
 * cached, then unmaps Y in S2 (not the running space), or takes Y's write
 * right away, and uses W again the same way: that must fault. */
static void __attribute__((noreturn)) tlb2_thread(void *arg)
{
    struct tlb2_args *a = arg;
    volatile uint64_t *w = (volatile uint64_t *)a->w;
    uint64_t v;
    if (a->protect) {
        *w = MAGIC + 5;
        a->first = *w;
        a->op_status = sys_protect(a->other, a->y, 1, PAGE_READ);
        *w = MAGIC + 6;                           /* must fault: W is read-only now */
        v = *w;
    } else {
        a->first = *w;
        a->op_status = sys_unmap(a->other, a->y, 1);
        v = *w;                                   /* must fault: W is gone */
    }
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { v, 0, 0, 0 } };
    sys_send(a->ep, &m);
    sys_exit(0);
}

static int running_space_tlb(const char *name, int protect)
{
    struct chain c;
    int r = 1;
    if (chain_build(name, &c))
        goto out;
    /* S2:Y -> S1:W, made by a thread in S2. */
    if (chain_step(name, &c.v2, c.ep, c.v1.space, Y_VA, W_VA, PAGE_READ | PAGE_WRITE))
        goto out;
    handle_t s2_in_s1;
    uint64_t err = sys_handle_grant(c.v1.space, c.v2.space, RIGHT_MAP, 0, &s2_in_s1);
    if (err) {
        fail(name, "granting S2 into S1: %lu", err);
        goto out;
    }
    struct tlb2_args *a = vm_args(&c.v1);
    *a = (struct tlb2_args){ .ep = c.v1.ep_in, .other = s2_in_s1, .w = W_VA, .y = Y_VA,
                             .protect = (uint64_t)protect, .first = 0, .op_status = ~0ull };
    if (vm_thread(&c.v1, tlb2_thread)) {
        fail(name, "thread_create/start failed");
        goto out;
    }
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(c.ep, &m);
    uint64_t first_want = protect ? MAGIC + 5 : MAGIC;
    if (a->first != first_want || a->op_status) {
        fail(name, "in S1: W read 0x%lx (expected 0x%lx), %s S2:Y = %lu", a->first, first_want,
             protect ? "protect" : "unmap", a->op_status);
        goto out;
    }
    uint64_t err_want = protect ? FAULT_ERR_PRESENT | FAULT_ERR_WRITE : 0;
    if (st.status || tag_label(m.tag) != FAULT_PAGE || m.w[0] != W_VA ||
        (m.w[1] & (FAULT_ERR_PRESENT | FAULT_ERR_WRITE)) != err_want) {
        if (!st.status && tag_label(m.tag) == LBL_REPORT)
            fail(name, "W still %s (reads 0x%lx) after S2:Y, its source, was %s (stale TLB "
                 "in the running space)", protect ? "writable" : "readable", m.w[0],
                 protect ? "made read-only" : "unmapped");
        else
            fail(name, "expected a %s fault at W: status %lu label 0x%lx addr 0x%lx err 0x%lx",
                 protect ? "write" : "not-present", st.status, tag_label(m.tag), m.w[0], m.w[1]);
        goto out;
    }
    uint32_t x = rw_rights(c.v1.space, X_VA), w = rw_rights(c.v1.space, W_VA),
             y = rw_rights(c.v2.space, Y_VA), z = rw_rights(c.s3, Z_VA);
    uint32_t rw = PAGE_READ | PAGE_WRITE;
    int ok = protect ? x == rw && w == PAGE_READ && y == PAGE_READ && z == PAGE_READ
                     : x == rw && !w && !y && !z;
    if (!ok) {
        fail(name, "afterwards: X %u, W %u, Y %u, Z %u (expected 3 %s)", x, w, y, z,
             protect ? "1 1 1" : "0 0 0");
        goto out;
    }
    /* A, X, Y and W share one frame: only the write before the downgrade landed. */
    if (*(volatile uint64_t *)c.a != first_want) {
        fail(name, "A reads 0x%lx, expected 0x%lx", *(volatile uint64_t *)c.a, first_want);
        goto out;
    }
    r = pass(name);                       /* the thread stays blocked on its fault */
out:
    chain_destroy(&c);
    return r;
}

static int chain_running_space_tlb(void)
{
    return running_space_tlb("chain_running_space_tlb", 0);
}

static int chain_running_space_tlb_protect(void)
{
    return running_space_tlb("chain_running_space_tlb_protect", 1);
}

/* ---- the whole attack, twice, and the accounts -------------------------- */

static int attack(void)
{
    return chain_of_three_revoked() + chain_middle_unmapped() + chain_middle_downgraded() +
           chain_same_space_tlb() + chain_running_space_tlb() +
           chain_running_space_tlb_protect();
}

int main(void)
{
    touch_image();
    return attack_twice("a_chain", "chain_no_leak", attack);
}
