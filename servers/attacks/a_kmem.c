/*
 * a_kmem: kernel-memory accounts against a process that wants the whole
 * kernel pool. The test (this program) spawns itself as the hog, with an
 * endpoint as its gift; the hog asks which attack to run, runs it until
 * the kernel says no, reports, and then holds everything it got. While it
 * does, a canary beside it (a child of ours, outside the hog's account)
 * must fork, fault and exit with exact counts, and the kernel pool must
 * still have more than the root task's reserve. Then the hog is killed,
 * and everything it held comes back (attack_twice checks the kernel pool
 * and our account exactly on the second run).
 *
 *   kmem_spaces      spaces, each with page tables in four PML4 slots
 *   kmem_endpoints   endpoints, their handles moved into spaces of ours
 *                    when our own table is full
 *   kmem_threads     threads that never start, named the same way
 *   kmem_nodes       mapping nodes: one page mapped at every page of a
 *                    space, 1,024 at a time
 *   kmem_nested      accounts of our own with limits far above ours, ten
 *                    deep (past the depth where the kernel shares instead),
 *                    the deepest filled with page tables; and the rights:
 *                    no account for our own space, none under it
 *
 * Each must end with IPC_ENOMEM at the hog's own limit (never past it).
 */
#include "attack.h"

enum { LBL_HELLO = 0x6b00, LBL_DONE };
enum { V_SPACES = 1, V_ENDPOINTS, V_THREADS, V_NODES, V_NESTED };

/* An account's charges stop at its limit; an operation that did not fit
 * may leave up to this many frames unused below it (1,024 nodes need 15
 * frames at once, a space with its tables 17). */
#define SLACK 32

static uint64_t src_page;

/* ---- the hog ------------------------------------------------------------ */

/* Spaces, each mapping src_page in four PML4 slots (17 frames apiece). */
static uint64_t hog_spaces(uint64_t *count)
{
    for (;;) {
        handle_t s;
        uint64_t err = sys_space_create(&s);
        for (uint64_t k = 1; !err && k <= 4; k++)
            err = sys_map(s, src_page, k << 39, 1, PAGE_READ);
        if (err)
            return err;
        ++*count;
    }
}

/* Objects made by make(), each handle moved into a holder space (a new
 * one whenever the last is full) so that our own table never fills. */
static uint64_t hog_objects(uint64_t *count, uint64_t (*make)(handle_t holder, handle_t *out))
{
    handle_t holder = 0;
    for (;;) {
        handle_t h, moved;
        uint64_t err = 0;
        if (!holder)
            err = sys_space_create(&holder);
        if (!err)
            err = make(holder, &h);
        if (err)
            return err;
        err = sys_handle_grant(holder, h, RIGHTS_ALL, 0, &moved);
        sys_handle_close(h);
        if (err == IPC_ENOHANDLES) {
            holder = 0;                   /* (that one was lost: make another) */
            continue;
        }
        if (err)
            return err;
        ++*count;
    }
}

static uint64_t make_endpoint(handle_t holder, handle_t *out)
{
    (void)holder;
    return sys_endpoint_create(out);
}

static void never_runs(void) { sys_exit(99); }

static uint64_t make_thread(handle_t holder, handle_t *out)
{
    return sys_thread_create(holder, (uint64_t)never_runs, STACK_VA, PRIO, 0, out);
}

/* One space, src_page mapped at every page from 1 GiB up, 1,024 a call. */
static uint64_t hog_nodes(uint64_t *count)
{
    handle_t s;
    uint64_t err = sys_space_create(&s);
    for (uint64_t va = 1ull << 30; !err; va += MAP_MAX_PAGES * PAGE) {
        for (uint64_t i = 0; !err && i < MAP_MAX_PAGES; i++)
            err = sys_map(s, src_page, va + i * PAGE, 1, PAGE_READ);
        if (!err)
            *count += MAP_MAX_PAGES;
    }
    return err;
}

/* The rights first (any answer but the expected one is reported as the
 * error), then a chain of ten accounts, each with a limit of 2^40 frames
 * under the one before; *count is the bit mask of those that got an
 * account of their own. Then the deepest is filled. */
static uint64_t hog_nested(uint64_t *count)
{
    handle_t s[10];
    uint64_t own, err;
    if (sys_space_create(&s[0]))
        return 1000;
    if ((err = sys_space_limit(SELF_SPACE_HANDLE, 1ull << 40, HANDLE_NONE, &own)) != IPC_ERIGHTS)
        return 1001;
    if ((err = sys_space_limit(s[0], 1ull << 40, SELF_SPACE_HANDLE, &own)) != IPC_ERIGHTS)
        return 1002;
    if ((err = sys_space_limit(s[0], 1ull << 40, PAGER_HANDLE, &own)) != IPC_ETYPE)
        return 1003;
    for (int i = 0; i < 10; i++) {
        if (i && sys_space_create(&s[i]))
            return 1004;
        if (sys_space_limit(s[i], 1ull << 40, i ? s[i - 1] : HANDLE_NONE, &own))
            return 1005;
        *count |= own << i;
    }
    if (sys_space_limit(s[0], 1, HANDLE_NONE, &own) != IPC_ESTATE)
        return 1006;                      /* once only */
    /* Fill the deepest with page tables: a page in every 2 MiB. */
    err = 0;
    for (uint64_t va = 1ull << 30; !err; va += 2ull << 20)
        err = sys_map(s[9], src_page, va, 1, PAGE_READ);
    return err;
}

static void __attribute__((noreturn)) hog(handle_t ep)
{
    struct ipc_msg m = { .tag = LBL_HELLO };
    if (sys_call(ep, &m).status)
        exit(1);
    src_page = page_new(0x6b6b);
    uint64_t count = 0, err = 1;
    switch (m.w[0]) {
    case V_SPACES: err = hog_spaces(&count); break;
    case V_ENDPOINTS: err = hog_objects(&count, make_endpoint); break;
    case V_THREADS: err = hog_objects(&count, make_thread); break;
    case V_NODES: err = hog_nodes(&count); break;
    case V_NESTED: err = hog_nested(&count); break;
    }
    m = (struct ipc_msg){ .tag = LBL_DONE, .w = { err, count, sys_kernel_info(KINFO_KMEM_USED),
                                                  sys_kernel_info(KINFO_KMEM_LIMIT) } };
    sys_call(ep, &m);                     /* no answer comes: we hold it all until killed */
    utest_block();
    exit(2);
}

/* ---- the test ------------------------------------------------------------- */

static int variant(const char *name, uint64_t v)
{
    handle_t ep = 0;
    int64_t pid = -1;
    int r = 1, status = -1;
    if (sys_endpoint_create(&ep))
        return fail(name, "endpoint_create failed");
    if ((pid = spawn_with("a_kmem.elf", ep)) < 0) {
        fail(name, "spawn_with(a_kmem.elf) = %ld", pid);
        goto out;
    }
    struct ipc_msg m;
    struct ipc_status st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != LBL_HELLO) {
        fail(name, "no hello from the hog (status %lu, label 0x%lx)", st.status, m.tag);
        goto out;
    }
    m = (struct ipc_msg){ .w = { v } };
    sys_reply(&m);
    st = recv_report(ep, &m);
    if (st.status || tag_label(m.tag) != LBL_DONE) {
        fail(name, "no report from the hog (status %lu, label 0x%lx)", st.status, m.tag);
        goto out;
    }
    uint64_t err = m.w[0], count = m.w[1], used = m.w[2], limit = m.w[3];
    uint64_t pool_free = sys_kernel_info(KINFO_FREE_FRAMES);
    uint64_t reserve = sys_kernel_info(KINFO_KMEM_RESERVE);
    if (round_no == 1)
        printf("a_kmem: %s: %lu made, then status %lu; the hog holds %lu of its %lu frames, "
               "the pool has %lu free (reserve %lu)\n", name, count, err, used, limit,
               pool_free, reserve);
    if (err != IPC_ENOMEM)
        fail(name, "the hog stopped with status %lu after %lu, not IPC_ENOMEM", err, count);
    else if (used > limit || used + SLACK < limit)
        fail(name, "the hog holds %lu frames of its limit %lu", used, limit);
    else if (pool_free <= reserve)
        fail(name, "the pool is down to %lu free frames (reserve %lu)", pool_free, reserve);
    else if (v == V_NESTED && (count == 0 || count == 0x3ff || (count & (count + 1))))
        fail(name, "own accounts 0x%lx: not some, then shared", count);
    else if (v != V_NESTED && count == 0)
        fail(name, "the hog made nothing");
    else if (!canary_process(name))
        r = 0;
out:
    if (pid > 0) {
        kill_child(pid);
        if (wait_pid(pid, &status) != pid && !r)
            r = fail(name, "the hog could not be reaped");
    }
    endpoint_drop(ep);
    return r ? 1 : pass(name);
}

static int attack(void)
{
    return variant("kmem_spaces", V_SPACES) + variant("kmem_endpoints", V_ENDPOINTS) +
           variant("kmem_threads", V_THREADS) + variant("kmem_nodes", V_NODES) +
           variant("kmem_nested", V_NESTED);
}

int main(void)
{
    uint64_t status;
    sys_thread_state(CHILD_GIFT_HANDLE, &status);
    if (status == IPC_ETYPE)                  /* an endpoint there: we are the hog */
        hog(CHILD_GIFT_HANDLE);
    touch_image();
    return attack_twice("a_kmem", "kmem_no_leak", attack);
}
