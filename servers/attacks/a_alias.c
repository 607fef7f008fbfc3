/*
 * a_alias: an ordinary process keeps an alias of one of its pages in a
 * space it created, then gives the page back to the pager. With no record
 * of derivation the alias would survive and reach whatever frame the pager
 * hands out next (another process's memory); now every alias goes with its
 * source, and loses what its source loses.
 *
 *   alias_fault_reply_revoked  alias made by a map item in a fault reply
 *   alias_sys_map_revoked      alias made by sys_map
 *   alias_downgraded           mprotect of the source lowers / removes it
 *   alias_fork_cow             fork's copy-on-write protection reaches it
 *   alias_no_leak              mapping nodes, kernel objects, pager frames
 *                              and kernel frames back where they were
 *
 * The attack runs twice; the second run is measured (steady state: the
 * first builds the pager's and the kernel's lazily made tables for the
 * addresses involved, which stay). Exit status 0 only if everything passed.
 */
#include "attack.h"

#define X_VA       0x0000500000000000ul   /* the alias in S (nothing else there) */
#define LBL_REPORT 0x7e01ull
#define MAGIC      0x5ec7e75a11a5f00dul
#define SECRET     0xfeedfacecafebeeful

/* ---- alias_fault_reply_revoked ------------------------------------------ */

struct alias_args {
    handle_t ep;                        /* in S's table */
    uint64_t x;
    volatile uint64_t seen1, seen2;
};

/* Runs in S: its stack and arguments only, no globals. */
static void __attribute__((noreturn)) alias_thread(void *arg)
{
    struct alias_args *a = arg;
    uint64_t v = *(volatile uint64_t *)a->x;       /* faults: the pager maps A here */
    a->seen1 = v;
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { v, 1, 0, 0 } };
    sys_call(a->ep, &m);
    v = *(volatile uint64_t *)a->x;                /* A was unmapped: must fault again */
    a->seen2 = v;
    m = (struct ipc_msg){ .tag = LBL_REPORT, .w = { v, 2, 0, 0 } };
    sys_call(a->ep, &m);
    sys_exit(0);
}

static int alias_fault_reply_revoked(void)
{
    const char *name = "alias_fault_reply_revoked";
    int r = 1;
    handle_t ep = 0;
    struct vm v = {0};
    uint64_t a = page_new(MAGIC), b = 0;
    if (!a)
        return fail(name, "mmap failed");
    if (sys_endpoint_create(&ep)) {
        fail(name, "endpoint_create failed");
        goto out;
    }
    int e = vm_build(&v, ep);
    if (e) {
        fail(name, "building the space failed (step %d)", -e);
        goto out;
    }
    struct alias_args *args = vm_args(&v);
    args->ep = v.ep_in;
    args->x = X_VA;
    args->seen1 = args->seen2 = 0;
    if (rw_rights(v.space, X_VA) != 0) {
        fail(name, "X mapped in S before the attack");
        goto out;
    }
    if (vm_thread(&v, alias_thread)) {
        fail(name, "thread_create/start failed");
        goto out;
    }
    /* 1. T's first touch of X. */
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != FAULT_PAGE || m.w[0] != X_VA ||
        (m.w[1] & (FAULT_ERR_PRESENT | FAULT_ERR_WRITE))) {
        fail(name, "expected a read fault at 0x%lx: status %lu label 0x%lx addr 0x%lx err 0x%lx",
             X_VA, st.status, tag_label(m.tag), m.w[0], m.w[1]);
        goto out;
    }
    /* 2. Resolve it with A, read-only. */
    m = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                          .w = { a, X_VA, MAP_ITEM(1, PAGE_READ), 0 } };
    st = skip_notices(ep, &m, sys_reply_recv(ep, &m));
    if (st.status || tag_label(m.tag) != LBL_REPORT || m.w[1] != 1) {
        fail(name, "expected T's report: status %lu label 0x%lx w0 0x%lx w1 %lu", st.status,
             tag_label(m.tag), m.w[0], m.w[1]);
        goto out;
    }
    if (m.w[0] != MAGIC || args->seen1 != MAGIC) {
        fail(name, "T read 0x%lx (stack report 0x%lx) through the alias, not the magic", m.w[0],
             args->seen1);
        goto out;
    }
    if (rw_rights(v.space, X_VA) != PAGE_READ) {
        fail(name, "alias rights %u, expected read-only", rw_rights(v.space, X_VA));
        goto out;
    }
    /* 3. Give A back: the alias must go at once. */
    if (munmap(a, PAGE)) {
        fail(name, "munmap(A) failed");
        goto out;
    }
    a = 0;
    if (rw_rights(v.space, X_VA) != 0) {
        fail(name, "S:X still mapped (rights %u) after munmap(A)", rw_rights(v.space, X_VA));
        goto out;
    }
    /* 4. New memory (the pager may well reuse A's frame): S must not reach it. */
    if (!(b = page_new(SECRET))) {
        fail(name, "second mmap failed");
        goto out;
    }
    if (rw_rights(v.space, X_VA) != 0) {
        fail(name, "S:X mapped (rights %u) after a new mmap", rw_rights(v.space, X_VA));
        goto out;
    }
    /* 5. Let T touch X again: the second fault must arrive. */
    m = (struct ipc_msg){ .tag = 0 };
    st = skip_notices(ep, &m, sys_reply_recv(ep, &m));
    if (st.status || tag_label(m.tag) != FAULT_PAGE || m.w[0] != X_VA) {
        if (!st.status && tag_label(m.tag) == LBL_REPORT)
            fail(name, "no second fault: T read 0x%lx through the stale alias%s", m.w[0],
                 m.w[0] == SECRET ? " (the new page's secret)" : "");
        else
            fail(name, "expected the second fault at 0x%lx: status %lu label 0x%lx addr 0x%lx",
                 X_VA, st.status, tag_label(m.tag), m.w[0]);
        goto out;
    }
    if (rw_rights(v.space, X_VA) != 0) {
        fail(name, "S:X mapped (rights %u) while T waits on its fault", rw_rights(v.space, X_VA));
        goto out;
    }
    r = pass(name);                       /* T stays blocked on its fault: destroyed below */
out:
    vm_destroy(&v);
    endpoint_drop(ep);
    if (a)
        munmap(a, PAGE);
    if (b)
        munmap(b, PAGE);
    return r;
}

/* ---- alias_sys_map_revoked ----------------------------------------------- */

static int alias_sys_map_revoked(void)
{
    const char *name = "alias_sys_map_revoked";
    int r = 1;
    handle_t s = 0;
    uint64_t a = page_new(MAGIC), b = 0;
    if (!a)
        return fail(name, "mmap failed");
    if (sys_space_create(&s)) {
        fail(name, "space_create failed");
        goto out;
    }
    uint64_t err = sys_map(s, a, X_VA, 1, PAGE_READ | PAGE_WRITE);
    if (err) {
        fail(name, "sys_map(S, A, X, rw) = %lu", err);
        goto out;
    }
    if (rw_rights(s, X_VA) != (PAGE_READ | PAGE_WRITE)) {
        fail(name, "alias rights %u, expected read+write", rw_rights(s, X_VA));
        goto out;
    }
    uint64_t nodes = sys_kernel_info(KINFO_MAPPINGS);
    if (munmap(a, PAGE)) {
        fail(name, "munmap(A) failed");
        goto out;
    }
    a = 0;
    uint64_t gone = nodes - sys_kernel_info(KINFO_MAPPINGS);
    if (rw_rights(s, X_VA) != 0) {
        fail(name, "S:X still mapped (rights %u) after munmap(A)", rw_rights(s, X_VA));
        goto out;
    }
    if (gone != 2) {
        fail(name, "munmap(A) removed %ld mapping nodes, expected 2 (A and S:X)", (int64_t)gone);
        goto out;
    }
    if (!(b = page_new(SECRET)) || rw_rights(s, X_VA) != 0) {
        fail(name, "after a new mmap: %s", b ? "S:X mapped again" : "mmap failed");
        goto out;
    }
    r = pass(name);
out:
    space_drop(s);
    if (a)
        munmap(a, PAGE);
    if (b)
        munmap(b, PAGE);
    return r;
}

/* ---- alias_downgraded ---------------------------------------------------- */

/* A (holding MAGIC) aliased read+write at X in a new space S. 0, or a
 * failure reported (then *a is 0 or A, *s is 0 or S). */
static int alias_rw(const char *name, handle_t *s, uint64_t *a)
{
    *s = 0;
    if (!(*a = page_new(MAGIC)))
        return fail(name, "mmap failed");
    if (sys_space_create(s) || sys_map(*s, *a, X_VA, 1, PAGE_READ | PAGE_WRITE))
        return fail(name, "space_create / sys_map failed");
    if (rw_rights(*s, X_VA) != (PAGE_READ | PAGE_WRITE))
        return fail(name, "alias rights %u, expected read+write", rw_rights(*s, X_VA));
    return 0;
}

/* Undoes alias_rw. */
static void alias_drop(handle_t s, uint64_t a)
{
    space_drop(s);
    if (a)
        munmap(a, PAGE);
}

static int alias_downgraded(void)
{
    const char *name = "alias_downgraded";
    int r = 1;
    handle_t s;
    uint64_t a;
    if (alias_rw(name, &s, &a))
        goto out;
    if (mprotect(a, PAGE, PROT_READ)) {
        fail(name, "mprotect(A, PROT_READ) failed");
        goto out;
    }
    if (rw_rights(s, X_VA) != PAGE_READ) {
        fail(name, "after mprotect(A, PROT_READ) S:X has rights %u, expected read only",
             rw_rights(s, X_VA));
        goto out;
    }
    if (*(volatile uint64_t *)a != MAGIC) {
        fail(name, "A lost its value");
        goto out;
    }
    if (mprotect(a, PAGE, PROT_NONE)) {
        fail(name, "mprotect(A, PROT_NONE) failed");
        goto out;
    }
    if (rw_rights(s, X_VA) != 0) {
        fail(name, "after mprotect(A, PROT_NONE) S:X has rights %u, expected none",
             rw_rights(s, X_VA));
        goto out;
    }
    /* Giving A its rights back does not bring the alias back. */
    if (mprotect(a, PAGE, PROT_READ | PROT_WRITE) || *(volatile uint64_t *)a != MAGIC ||
        rw_rights(s, X_VA) != 0) {
        fail(name, "after mprotect(A, rw) and a read: S:X rights %u (expected none)",
             rw_rights(s, X_VA));
        goto out;
    }
    r = pass(name);
out:
    alias_drop(s, a);
    return r;
}

/* ---- alias_fork_cow ------------------------------------------------------ */

static int alias_fork_cow(void)
{
    const char *name = "alias_fork_cow";
    int r = 1;
    handle_t s;
    uint64_t a;
    if (alias_rw(name, &s, &a))
        goto out;
    int64_t pid = fork();
    if (pid == 0)
        exit(0);                          /* the child: shares A's frame, leaves at once */
    if (pid < 0) {
        fail(name, "fork failed (%ld)", pid);
        goto out;
    }
    uint32_t after = rw_rights(s, X_VA);
    int status = -1;
    int64_t got = wait_pid(pid, &status);
    if (after & PAGE_WRITE) {
        fail(name, "S:X still writable (rights %u) after fork: the frame shared with the "
                   "child could be written through S", after);
        goto out;
    }
    if (after != PAGE_READ) {
        fail(name, "S:X rights %u after fork, expected read only", after);
        goto out;
    }
    if (got != pid || status != 0) {
        fail(name, "child %ld: wait gave %ld, status %d", pid, got, status);
        goto out;
    }
    if (*(volatile uint64_t *)a != MAGIC) {
        fail(name, "A lost its value");
        goto out;
    }
    r = pass(name);
out:
    alias_drop(s, a);
    return r;
}

/* ---- the whole attack, twice, and the accounts -------------------------- */

static int attack(void)
{
    return alias_fault_reply_revoked() + alias_sys_map_revoked() + alias_downgraded() +
           alias_fork_cow();
}

int main(void)
{
    touch_image();
    return attack_twice("a_alias", "alias_no_leak", attack);
}
