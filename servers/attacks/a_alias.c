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
#include "../utest/utest.h"
#include <ipc/fault.h>
#include <ipc/ulib.h>
#include <stdarg.h>

extern char __image_start[], __text_end[], __rodata_end[];

#define PAGE       4096ull
#define X_VA       0x0000500000000000ul   /* the alias in S (nothing else there) */
#define STACK_VA   0x00005ffffffff000ul   /* the stack page of S's thread */
#define ARGS_OFF   (PAGE - 256)            /* its arguments, at the top of that page */
#define LBL_REPORT 0x7e01ull
#define PRIO       10                      /* a pager-started process's priority */
#define MAGIC      0x5ec7e75a11a5f00dul
#define SECRET     0xfeedfacecafebeeful

static int round_no = 1;

static int fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *name, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("TEST %s fail %s%s\n", name, buf, round_no > 1 ? " (second run)" : "");
    return 1;
}

static int pass(const char *name)
{
    if (round_no == 1)
        printf("TEST %s pass\n", name);
    return 0;
}

/* Read and write rights only: without NX every page also reads as exec. */
static uint32_t rw_rights(handle_t space, uint64_t va)
{
    uint32_t r = 0xff;
    if (sys_map_rights(space, va, &r))
        return 0xff;                      /* the call itself failed */
    return r & (PAGE_READ | PAGE_WRITE);
}

/* Makes sure every page of our image is mapped (the pager maps lazily),
 * so that sys_map finds the sources present. */
static void touch_image(void)
{
    for (const char *p = __image_start; p < __rodata_end; p += PAGE)
        (void)*(volatile const char *)p;
}

/* A private anonymous page, written (so mapped read+write), or 0. */
static uint64_t page_new(uint64_t value)
{
    int64_t a = mmap(0, PAGE, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 0;
    *(volatile uint64_t *)a = value;
    return (uint64_t)a;
}

/* ---- a space running our own code ---------------------------------------- */

struct vm {
    handle_t space, thread, ep_in;      /* ep_in: the endpoint, in S's table */
    uint64_t stack;                     /* our page that is S's stack page */
};

/* S with our text (read+exec) and rodata (read) at their addresses, a
 * stack page, its faults going to ep, and ep granted into it (send). */
static int vm_build(struct vm *v, handle_t ep)
{
    uint64_t text = (uint64_t)__image_start, text_pages = ((uint64_t)__text_end - text) / PAGE;
    uint64_t ro = (uint64_t)__text_end, ro_pages = ((uint64_t)__rodata_end - ro) / PAGE;
    memset(v, 0, sizeof(*v));
    if (sys_space_create(&v->space))
        return -1;
    if (sys_map(v->space, text, text, text_pages, PAGE_READ | PAGE_EXEC))
        return -2;
    if (ro_pages && sys_map(v->space, ro, ro, ro_pages, PAGE_READ))
        return -3;
    if (!(v->stack = page_new(0)) ||
        sys_map(v->space, v->stack, STACK_VA, 1, PAGE_READ | PAGE_WRITE))
        return -4;
    if (sys_space_set_pager(v->space, ep))
        return -5;
    if (sys_handle_grant(v->space, ep, RIGHT_SEND, 0, &v->ep_in))
        return -6;
    return 0;
}

static void *vm_args(struct vm *v) { return (void *)(v->stack + ARGS_OFF); }

static int vm_thread(struct vm *v, void (*fn)(void *))
{
    uint64_t args = STACK_VA + ARGS_OFF;
    if (sys_thread_create(v->space, (uint64_t)fn, args - 8, PRIO, args, &v->thread))
        return -1;
    return sys_thread_start(v->thread) ? -2 : 0;
}

static void vm_destroy(struct vm *v)
{
    if (v->space) {
        sys_space_destroy(v->space);      /* its threads die, its mappings go */
        sys_handle_close(v->space);
    }
    if (v->thread)
        sys_handle_close(v->thread);
    if (v->stack)
        munmap(v->stack, PAGE);
    memset(v, 0, sizeof(*v));
}

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
    struct ipc_status st = skip_notices(ep, &m, sys_recv(ep, &m));
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
    if (ep) {
        sys_endpoint_destroy(ep);
        sys_handle_close(ep);
    }
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
    if (s) {
        sys_space_destroy(s);
        sys_handle_close(s);
    }
    if (a)
        munmap(a, PAGE);
    if (b)
        munmap(b, PAGE);
    return r;
}

/* ---- alias_downgraded ---------------------------------------------------- */

static int alias_downgraded(void)
{
    const char *name = "alias_downgraded";
    int r = 1;
    handle_t s = 0;
    uint64_t a = page_new(MAGIC);
    if (!a)
        return fail(name, "mmap failed");
    if (sys_space_create(&s) || sys_map(s, a, X_VA, 1, PAGE_READ | PAGE_WRITE)) {
        fail(name, "space_create / sys_map failed");
        goto out;
    }
    if (rw_rights(s, X_VA) != (PAGE_READ | PAGE_WRITE)) {
        fail(name, "alias rights %u, expected read+write", rw_rights(s, X_VA));
        goto out;
    }
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
    if (s) {
        sys_space_destroy(s);
        sys_handle_close(s);
    }
    munmap(a, PAGE);
    return r;
}

/* ---- alias_fork_cow ------------------------------------------------------ */

static int alias_fork_cow(void)
{
    const char *name = "alias_fork_cow";
    int r = 1;
    handle_t s = 0;
    uint64_t a = page_new(MAGIC);
    if (!a)
        return fail(name, "mmap failed");
    if (sys_space_create(&s) || sys_map(s, a, X_VA, 1, PAGE_READ | PAGE_WRITE)) {
        fail(name, "space_create / sys_map failed");
        goto out;
    }
    if (rw_rights(s, X_VA) != (PAGE_READ | PAGE_WRITE)) {
        fail(name, "alias rights %u, expected read+write", rw_rights(s, X_VA));
        goto out;
    }
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
    if (s) {
        sys_space_destroy(s);
        sys_handle_close(s);
    }
    munmap(a, PAGE);
    return r;
}

/* ---- the whole attack, twice, and the accounts -------------------------- */

struct snap {
    uint64_t mappings, objects, frames_free, kernel_free;
};

static void snap(struct snap *s)
{
    s->mappings = sys_kernel_info(KINFO_MAPPINGS);
    s->objects = sys_kernel_info(KINFO_OBJECTS);
    s->kernel_free = sys_kernel_info(KINFO_FREE_FRAMES);
    s->frames_free = utest_frames_free();
}

static int attack(void)
{
    return alias_fault_reply_revoked() + alias_sys_map_revoked() + alias_downgraded() +
           alias_fork_cow();
}

#define D(field) ((int64_t)(b->field - a->field))

static void show(const char *what, const struct snap *a, const struct snap *b)
{
    printf("a_alias: %s: mappings %ld, objects %ld, pager frames free %ld, kernel frames "
           "free %ld\n", what, D(mappings), D(objects), D(frames_free), D(kernel_free));
}

int main(void)
{
    struct snap s0, s1, s2;
    touch_image();
    /* Our data page too, before the first count (the pager maps it on
     * its first write), so that the first run's growth is only tables. */
    *(volatile int *)&round_no = 1;
    snap(&s0);
    int failed = attack();
    snap(&s1);
    round_no = 2;
    failed += attack();
    snap(&s2);
    show("first run (builds lazy tables)", &s0, &s1);
    show("second run", &s1, &s2);
    const struct snap *a = &s1, *b = &s2;
    round_no = 1;                         /* the accounts are checked once */
    if (D(mappings) || D(objects) || D(frames_free) || D(kernel_free))
        failed += fail("alias_no_leak", "second run changed mappings %ld, objects %ld, pager "
                       "frames free %ld, kernel frames free %ld", D(mappings), D(objects),
                       D(frames_free), D(kernel_free));
    else
        failed += pass("alias_no_leak");
    return failed ? 1 : 0;
}
