/*
 * a_rights: an ordinary process tries to get more than it was given.
 *
 *   protect_above_source_refused  its read+exec text page, aliased into a
 *                                 space S it created, cannot be made
 *                                 writable there (sys_protect, sys_map, a
 *                                 map item in a fault reply): a write
 *                                 through the alias faults
 *   module_text_stays_readonly    a fresh copy of this module (spawned in
 *                                 check mode) finds its text as the parent
 *                                 found it before the attack, and so does
 *                                 the parent (text pages are the boot
 *                                 module's own frames, shared by every
 *                                 process running it)
 *   pager_binding_refused         it cannot become its own pager, plant the
 *                                 default pager's badge on S, or map into
 *                                 its own space; a thread it makes in its
 *                                 own space is served by the default pager
 *   own_table_grant_bounded       granting into its own table (space
 *                                 HANDLE_NONE, no right on a space needed)
 *                                 never widens rights, never re-badges,
 *                                 needs RIGHT_GRANT on the source: the
 *                                 pager's handle and its own space stay
 *                                 what they are
 *   rights_no_leak                mapping nodes, kernel objects, pager
 *                                 frames and kernel frames back where they
 *                                 were
 *
 * The attack runs twice; the second run is measured (steady state: the
 * first builds the pager's and the kernel's lazily made tables for the
 * addresses involved, which stay). Exit status 0 only if everything passed.
 *
 * Check mode: started with a gift handle (CHILD_GIFT_HANDLE, an endpoint),
 * the program checksums its text, calls the endpoint with the sum, gets
 * the parent's sum back and exits 0 when they agree.
 */
#include "attack.h"
#include <stdarg.h>

#define X_VA       0x0000500000000000ul   /* alias of the canary's text page in S */
#define X2_VA      0x0000510000000000ul   /* where a writable alias was asked for */
#define OWN_VA     0x0000520000000000ul   /* a map into our own space was asked for here */
#define LBL_REPORT 0x7e03ull
#define LBL_CHECK  0x7e04ull
#define LBL_EXITED 0x7e05ull
#define VALUE      0x0123456789abcdeful
#define THREAD_STACK_PAGES 4

static uint64_t text_sum_before;        /* our text's checksum before any attack */
static int nx = 1;                      /* the CPU has NX (else every page reads as exec) */

/* Expected rights as the kernel reports them on this CPU. */
static uint32_t want(uint32_t r) { return nx ? r : r | PAGE_EXEC; }

static uint32_t rights_at(handle_t space, uint64_t va)
{
    uint32_t r = 0xff;
    if (sys_map_rights(space, va, &r))
        return 0xff;
    return r;
}

/* The attacker's target: a function that never runs, its first byte is
 * what a write through the alias would flip. */
__attribute__((noinline)) uint64_t canary(uint64_t x)
{
    return x * 0x9e3779b97f4a7c15ull + 0x7f4a7c15ull;
}

/* FNV-1a over 64-bit words of [start, end): every byte of our text. */
static uint64_t text_checksum(void)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const volatile uint64_t *p = (const uint64_t *)__image_start;
         p < (const uint64_t *)__text_end; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/* Waits until thread t is dead (or gives up: 100,000 turns and 10 s; on
 * another CPU it runs beside us). */
static int wait_dead(handle_t t)
{
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (int i = 0; i < 100000 || sys_kernel_info(KINFO_TICKS) - t0 <= 1000; i++) {
        uint64_t status;
        sys_thread_state(t, &status);
        if (status == IPC_EDEAD)
            return 1;
        sys_yield();
    }
    return 0;
}

/* ---- protect_above_source_refused ---------------------------------------- */

struct writer_args {
    handle_t ep;
    uint64_t target;
};

/* Runs in S: flips a byte of the canary through the alias. */
static void __attribute__((noreturn)) writer_thread(void *arg)
{
    struct writer_args *a = arg;
    volatile uint8_t *p = (volatile uint8_t *)a->target;
    uint8_t old = *p;
    *p = (uint8_t)(old ^ 0xff);                     /* must fault: the alias is read-only */
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { old, *p, 0, 0 } };
    sys_call(a->ep, &m);
    sys_exit(0);
}

/* The first thing a test found wrong; later attempts still run, so that
 * an attack a broken kernel lets through really happens (and the module
 * text check after it sees the damage). */
static char why[200];
static int bad;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    if (bad++)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
}

static int protect_above_source_refused(void)
{
    const char *name = "protect_above_source_refused";
    handle_t ep = 0;
    struct vm v = {0};
    uint64_t canary_page = (uint64_t)canary & ~(PAGE - 1), err;
    uint64_t target = X_VA + ((uint64_t)canary & (PAGE - 1));
    const uint32_t rx = PAGE_READ | PAGE_EXEC;
    bad = 0;
    if (sys_endpoint_create(&ep)) {
        note("endpoint_create failed");
        goto out;
    }
    int e = vm_build(&v, ep);
    if (e) {
        note("building the space failed (step %d)", -e);
        goto out;
    }
    nx = !(rights_at(v.space, STACK_VA) & PAGE_EXEC);
    if ((err = sys_map(v.space, canary_page, X_VA, 1, rx))) {
        note("sys_map(S, text page, X, r-x) = %lu", err);
        goto out;
    }
    if (rights_at(v.space, X_VA) != rx)
        note("alias rights %u, expected r-x", rights_at(v.space, X_VA));
    static const uint32_t above[] = { PAGE_READ | PAGE_WRITE | PAGE_EXEC, PAGE_READ | PAGE_WRITE };
    for (unsigned i = 0; i < 2; i++) {
        err = sys_protect(v.space, X_VA, 1, above[i]);
        if (err != IPC_ERIGHTS || rights_at(v.space, X_VA) != rx)
            note("sys_protect(S, X, %u) = %lu (expected %u), rights now %u", above[i], err,
                 IPC_ERIGHTS, rights_at(v.space, X_VA));
    }
    err = sys_map(v.space, canary_page, X2_VA, 1, PAGE_READ | PAGE_WRITE);
    if (err != IPC_ERIGHTS || rights_at(v.space, X2_VA) != 0)
        note("sys_map(S, text page, X2, rw) = %lu (expected %u), X2 rights %u", err,
             IPC_ERIGHTS, rights_at(v.space, X2_VA));
    err = sys_map(v.space, canary_page, X_VA, 1, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    if (err != IPC_ERIGHTS || rights_at(v.space, X_VA) != rx)
        note("sys_map over X with rwx = %lu (expected %u), X rights %u", err, IPC_ERIGHTS,
             rights_at(v.space, X_VA));
    /* The attack: a thread in S writes through the alias. It must fault. */
    struct writer_args *a = vm_args(&v);
    a->ep = v.ep_in;
    a->target = target;
    if (vm_thread(&v, writer_thread)) {
        note("thread_create/start failed");
        goto out;
    }
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != FAULT_PAGE) {
        if (!st.status && tag_label(m.tag) == LBL_REPORT)
            note("the write through the alias went through: byte 0x%lx became 0x%lx", m.w[0],
                 m.w[1]);
        else
            note("expected a write fault: status %lu label 0x%lx", st.status, tag_label(m.tag));
        goto out;                         /* the thread is not in a fault: nothing to answer */
    }
    uint64_t want_err = FAULT_ERR_PRESENT | FAULT_ERR_WRITE | FAULT_ERR_USER;
    if (m.w[0] != target || (m.w[1] & want_err) != want_err)
        note("fault at 0x%lx err 0x%lx, expected a write to present 0x%lx", m.w[0], m.w[1],
             target);
    /* Nor can a fault reply make it writable (slow path and fastpath). */
    m = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                          .w = { canary_page, X_VA, MAP_ITEM(1, PAGE_READ | PAGE_WRITE), 0 } };
    st = skip_notices(ep, &m, sys_reply_recv(ep, &m));
    if (st.status != IPC_ERIGHTS) {
        note("reply_recv with a writable map item of text = %lu (expected %u)", st.status,
             IPC_ERIGHTS);
        goto out;                         /* delivered (and maybe received): stop here */
    }
    m = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                          .w = { canary_page, X_VA, MAP_ITEM(1, PAGE_READ | PAGE_WRITE | PAGE_EXEC),
                                 0 } };
    if ((err = sys_reply(&m)) != IPC_ERIGHTS) {
        note("reply with a writable map item of text = %lu (expected %u)", err, IPC_ERIGHTS);
        goto out;
    }
    uint64_t sterr, ts = sys_thread_state(v.thread, &sterr);
    if (ts != THREAD_BLOCKED_REPLY || rights_at(v.space, X_VA) != rx)
        note("after the refused replies: thread state %lu (expected %u), X rights %u", ts,
             THREAD_BLOCKED_REPLY, rights_at(v.space, X_VA));
    /* Within the source: down to read, and back up to read+exec. */
    if ((err = sys_protect(v.space, X_VA, 1, PAGE_READ)) ||
        rights_at(v.space, X_VA) != want(PAGE_READ))
        note("sys_protect(S, X, r) = %lu, rights %u", err, rights_at(v.space, X_VA));
    if ((err = sys_protect(v.space, X_VA, 1, rx)) || rights_at(v.space, X_VA) != rx)
        note("sys_protect(S, X, r-x) = %lu, rights %u", err, rights_at(v.space, X_VA));
out:
    vm_destroy(&v);                       /* a writer blocked on its fault dies here */
    endpoint_drop(ep);
    return bad ? fail(name, "%s", why) : pass(name);
}

/* ---- module_text_stays_readonly ------------------------------------------ */

/* Check mode: our text against the parent's sum (see the top). */
static int check_mode(void)
{
    uint64_t sum = text_checksum();
    struct ipc_msg m = { .tag = LBL_CHECK, .w = { sum, 0, 0, 0 } };
    struct ipc_status st = sys_call(CHILD_GIFT_HANDLE, &m);
    if (st.status)
        return 2;
    if (m.w[0] != sum) {
        printf("a_rights (check mode): text checksum 0x%lx, the parent had 0x%lx\n", sum,
               m.w[0]);
        return 1;
    }
    return 0;
}

struct waiter {
    int64_t pid;
    handle_t ep;
};
static struct waiter waiter;

/* A thread of ours: waits for the child, then tells the main thread, so
 * that the main thread never waits for a call that cannot come. */
static void __attribute__((noreturn)) waiter_thread(void *arg)
{
    struct waiter *w = arg;
    int status = -1;
    int64_t got = wait_pid(w->pid, &status);
    struct ipc_msg m = { .tag = LBL_EXITED,
                         .w = { (uint64_t)got, (uint64_t)(int64_t)status, 0, 0 } };
    sys_send(w->ep, &m);
    sys_exit(0);
}

static int module_text_stays_readonly(void)
{
    const char *name = "module_text_stays_readonly";
    int r = 1;
    handle_t ep = 0, t = 0;
    int64_t stack = -1;
    uint64_t sum = text_checksum();       /* our own view (the module's frames) */
    if (sys_endpoint_create(&ep))
        return fail(name, "endpoint_create failed");
    int64_t pid = spawn_with("a_rights.elf", ep);
    if (pid < 0) {
        fail(name, "spawn_with(a_rights.elf) = %ld", pid);
        goto out;
    }
    stack = mmap(0, THREAD_STACK_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    waiter = (struct waiter){ pid, ep };
    uint64_t err;
    if (stack < 0 || (err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)waiter_thread,
                                              (uint64_t)stack + THREAD_STACK_PAGES * PAGE - 8,
                                              PRIO, (uint64_t)&waiter, &t)) ||
        sys_thread_start(t)) {
        fail(name, "cannot start the waiter thread");
        goto out;
    }
    int checked = 0, exited = 0;
    uint64_t child_sum = 0, got = 0, status = ~0ull;
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(ep, &m);
    while (!exited) {
        if (st.status) {
            fail(name, "receive failed: %lu", st.status);
            goto out;
        }
        if (tag_label(m.tag) == LBL_CHECK && !checked) {
            checked = 1;
            child_sum = m.w[0];
            m = (struct ipc_msg){ .tag = 0, .w = { text_sum_before, 0, 0, 0 } };
            st = skip_notices(ep, &m, sys_reply_recv(ep, &m));
        } else if (tag_label(m.tag) == LBL_EXITED) {
            exited = 1;
            got = m.w[0];
            status = m.w[1];
        } else {
            fail(name, "unexpected message 0x%lx", tag_label(m.tag));
            goto out;
        }
    }
    if (!checked) {
        fail(name, "the check-mode child never reported (exit status %ld)", (int64_t)status);
        goto out;
    }
    if (child_sum != text_sum_before || sum != text_sum_before) {
        fail(name, "text checksum before the attack 0x%lx; now ours 0x%lx, a fresh process's "
             "0x%lx", text_sum_before, sum, child_sum);
        goto out;
    }
    if (got != (uint64_t)pid || status != 0) {
        fail(name, "check-mode child %ld: wait gave %ld, status %ld", pid, (int64_t)got,
             (int64_t)status);
        goto out;
    }
    r = pass(name);
out:
    if (t) {
        wait_dead(t);
        sys_handle_close(t);
    }
    if (stack >= 0)
        munmap((uint64_t)stack, THREAD_STACK_PAGES * PAGE);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    return r;
}

/* ---- pager_binding_refused ----------------------------------------------- */

struct self_args {
    handle_t ep;
    uint64_t mem;
};
static struct self_args self_args;

/* A thread of ours in our own space: its stack and `mem` are fresh mmap
 * memory, so its first pushes and its write fault to the default pager. */
static void __attribute__((noreturn)) self_thread(void *arg)
{
    struct self_args *a = arg;
    *(volatile uint64_t *)a->mem = VALUE;
    struct ipc_msg m = { .tag = LBL_REPORT, .w = { *(volatile uint64_t *)a->mem, 0, 0, 0 } };
    sys_send(a->ep, &m);
    sys_exit(0);
}

static int pager_binding_refused(void)
{
    const char *name = "pager_binding_refused";
    int r = 1;
    handle_t ep = 0, s = 0, t = 0, h = 0;
    int64_t stack = -1, mem = -1;
    uint64_t page = page_new(VALUE ^ 1), err;
    if (!page)
        return fail(name, "mmap failed");
    if (sys_endpoint_create(&ep) || sys_space_create(&s)) {
        fail(name, "endpoint / space create failed");
        goto out;
    }
    struct { const char *what; uint64_t got; } c[] = {
        { "set_pager(own space, own endpoint)", sys_space_set_pager(SELF_SPACE_HANDLE, ep) },
        { "set_pager(own space, none)", sys_space_set_pager(SELF_SPACE_HANDLE, HANDLE_NONE) },
        { "set_pager(own space, PAGER_HANDLE)",
          sys_space_set_pager(SELF_SPACE_HANDLE, PAGER_HANDLE) },
        { "set_pager(S, PAGER_HANDLE)", sys_space_set_pager(s, PAGER_HANDLE) },
        { "grant PAGER_HANDLE into S", sys_handle_grant(s, PAGER_HANDLE, RIGHT_SEND, 0, &h) },
        { "map into own space", sys_map(SELF_SPACE_HANDLE, page, OWN_VA, 1, PAGE_READ) },
        { "unmap in own space", sys_unmap(SELF_SPACE_HANDLE, page, 1) },
        { "protect own text rwx",
          sys_protect(SELF_SPACE_HANDLE, (uint64_t)__image_start, 1,
                      PAGE_READ | PAGE_WRITE | PAGE_EXEC) },
        { "grant into own space", sys_handle_grant(SELF_SPACE_HANDLE, ep, RIGHT_SEND, 7, &h) },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i].got != IPC_ERIGHTS) {
            fail(name, "%s = %lu, expected %u (IPC_ERIGHTS)", c[i].what, c[i].got, IPC_ERIGHTS);
            goto out;
        }
    uint32_t rr;
    if ((err = sys_map_rights(SELF_SPACE_HANDLE, page, &rr)) != IPC_ERIGHTS) {
        fail(name, "map_rights(own space) = %lu, expected %u", err, IPC_ERIGHTS);
        goto out;
    }
    if (*(volatile uint64_t *)page != (VALUE ^ 1)) {
        fail(name, "our page changed");
        goto out;
    }
    /* S has no pager after all that: binding our own endpoint works. */
    if ((err = sys_space_set_pager(s, ep))) {
        fail(name, "set_pager(S, own endpoint) = %lu, expected 0", err);
        goto out;
    }
    /* A thread in our own space, on fresh memory: the default pager serves it. */
    stack = mmap(0, THREAD_STACK_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    mem = mmap(0, PAGE, PROT_READ | PROT_WRITE, 0);
    if (stack < 0 || mem < 0) {
        fail(name, "mmap failed");
        goto out;
    }
    self_args = (struct self_args){ ep, (uint64_t)mem };
    uint64_t pf = page_faults();
    if ((err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)self_thread,
                                 (uint64_t)stack + THREAD_STACK_PAGES * PAGE - 8, PRIO,
                                 (uint64_t)&self_args, &t)) ||
        (err = sys_thread_start(t))) {
        fail(name, "thread in own space: create/start = %lu", err);
        goto out;
    }
    struct ipc_msg m = {0};
    struct ipc_status st = recv_report(ep, &m);
    uint64_t pf2 = page_faults();
    if (st.status || tag_label(m.tag) != LBL_REPORT || m.w[0] != VALUE) {
        fail(name, "thread in own space: status %lu label 0x%lx value 0x%lx", st.status,
             tag_label(m.tag), m.w[0]);
        goto out;
    }
    if (*(volatile uint64_t *)mem != VALUE) {
        fail(name, "the thread's write is not in our memory (0x%lx)", *(volatile uint64_t *)mem);
        goto out;
    }
    if (pf2 - pf < 2) {
        fail(name, "the default pager served %lu faults, expected at least 2 (stack, memory)",
             pf2 - pf);
        goto out;
    }
    r = pass(name);
out:
    if (t) {
        wait_dead(t);
        sys_handle_close(t);
    }
    if (stack >= 0)
        munmap((uint64_t)stack, THREAD_STACK_PAGES * PAGE);
    if (mem >= 0)
        munmap((uint64_t)mem, PAGE);
    space_drop(s);
    endpoint_drop(ep);
    munmap(page, PAGE);
    return r;
}

/* ---- the whole attack, twice, and the accounts -------------------------- */

static int own_table_grant_bounded(void)
{
    const char *name = "own_table_grant_bounded";
    handle_t ep, send = 0, copy = 0, bad = 0;
    struct ipc_msg m = { 0 };
    if (sys_endpoint_create(&ep))
        return fail(name, "endpoint create failed");
    const char *why = 0;
    if (sys_handle_grant(HANDLE_NONE, PAGER_HANDLE, RIGHTS_ALL, 0, &bad) != IPC_ERIGHTS)
        why = "the pager's handle (no RIGHT_GRANT) was copied";
    else if (sys_handle_grant(HANDLE_NONE, SELF_SPACE_HANDLE, RIGHTS_ALL, 0, &bad) != IPC_ERIGHTS)
        why = "our own space (RIGHT_THREAD only) was copied";
    else if (sys_handle_grant(HANDLE_NONE, ep, RIGHT_SEND | RIGHT_GRANT, 0xbad9e, &send))
        why = "a badged copy of our own endpoint was refused";
    else if (sys_handle_grant(HANDLE_NONE, send, RIGHT_SEND, 0xbad9f, &bad) != IPC_EINVAL)
        why = "a badge was changed";
    else if (sys_handle_grant(HANDLE_NONE, send, RIGHTS_ALL, 0, &copy))
        why = "a copy of the copy was refused";
    else if (sys_recv(copy, &m).status != IPC_ERIGHTS)
        why = "a copy got RIGHT_RECV its source lacked";
    else if (sys_endpoint_destroy(copy) != IPC_ERIGHTS)
        why = "a copy got RIGHT_DESTROY its source lacked";
    sys_handle_close(copy);
    sys_handle_close(send);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    return why ? fail(name, "%s", why) : pass(name);
}

static int attack(void)
{
    return protect_above_source_refused() + module_text_stays_readonly() +
           pager_binding_refused() + own_table_grant_bounded();
}

int main(void)
{
    uint64_t status;
    sys_thread_state(CHILD_GIFT_HANDLE, &status);
    if (status == IPC_ETYPE)              /* an endpoint there: check mode */
        return check_mode();
    touch_image();
    text_sum_before = text_checksum();
    return attack_twice("a_rights", "rights_no_leak", attack);
}
