/*
 * The pager against hostile clients (issue 13):
 *   hostile_grant_spam      9,000 requests that each carry a granted handle
 *                           (TAG_GRANT on PG_GETPID, PG_STATS, unknown
 *                           labels): the pager closes what a request does
 *                           not use, so the granted endpoint dies when we
 *                           close ours and fork still works
 *   hostile_many_waiters    four threads of one process in wait() at once,
 *                           each for its own child: every one is answered
 *                           with its child's status; waiters past the
 *                           pager's bound get PG_ELIMIT at once
 *   hostile_malformed       throwaway children send random labels, words
 *                           and grant flags, then exit: the pager's frames,
 *                           commit and processes and the kernel's objects
 *                           and mappings are exactly where they were
 */
#include "../utest/utest.h"
#include <ipc/waiters.h>
#include <ipc/xorshift.h>

#define PAGE 4096ull

static struct ipc_status raw(uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                             struct ipc_msg *m)
{
    *m = (struct ipc_msg){ .tag = tag, .w = { w0, w1, w2, w3 } };
    return sys_call(PAGER_HANDLE, m);
}

static int grant_spam(void)
{
    const char *name = "hostile_grant_spam";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    handle_t ep;
    if (sys_endpoint_create(&ep))
        return utest_fail(name, "endpoint_create", 0, 0);
    static const uint64_t labels[] = { PG_GETPID, PG_STATS, 0x1234, PG_MUNMAP };
    for (int i = 0; i < 9000; i++) {
        struct ipc_msg m;
        struct ipc_status st = raw(labels[i % 4] | TAG_GRANT, 0, 0, 0, ep, &m);
        if (st.status)
            return utest_fail(name, "call failed", st.status, (uint64_t)i);
    }
    sys_handle_close(ep);               /* the last handle, if the pager kept none */
    /* The count is the whole system's: what else is still going on (a
     * stacked pager's own work, an earlier test's last child) may hold an
     * object for a moment; a kept endpoint holds it for good. */
    for (uint64_t t0 = sys_kernel_info(KINFO_TICKS);
         sys_kernel_info(KINFO_OBJECTS) != objects && sys_kernel_info(KINFO_TICKS) - t0 < 100;)
        sys_yield();
    if (sys_kernel_info(KINFO_OBJECTS) != objects)
        return utest_fail(name, "the endpoint lives on in the pager's table",
                          sys_kernel_info(KINFO_OBJECTS), objects);
    int64_t pid = fork();
    if (pid == 0)
        exit(3);
    int st = -1;
    if (pid < 0 || wait_pid(pid, &st) != pid || st != 3)
        return utest_fail(name, "fork after the spam", (uint64_t)-pid, (uint64_t)st);
    return utest_pass(name);
}

/* ---- many waiters ---- */

#define WAITING 4
static int64_t kid[WAITING];
static volatile int64_t got_pid[WAITING];
static volatile int got_status[WAITING], waiting_done[WAITING];

static void waiter(uint64_t i)
{
    int st = -1;
    got_pid[i] = wait_pid(kid[i], &st);
    got_status[i] = st;
    waiting_done[i] = 1;
    sys_exit(0);
}

/* A child that waits until its parent's threads all wait, then exits. */
static void __attribute__((noreturn)) child(int status)
{
    for (int i = 0; i < 200; i++)
        sys_yield();
    exit(status);
}

/* Past the bound: a child that never exits by itself and WAITERS_MAX
 * threads of ours waiting for it; one more wait() must hear PG_ELIMIT at
 * once. When the child is killed, one waiter gets it and every other hears
 * PG_ECHILD: nobody waits forever for a child that is gone. */
static int64_t sleeper;
static volatile int64_t extra_pid[WAITERS_MAX];
static volatile int extra_done[WAITERS_MAX];

static void extra_waiter(uint64_t i)
{
    int st;
    extra_pid[i] = wait_pid(sleeper, &st);
    extra_done[i] = 1;
    sys_exit(0);
}

/* The end of a wait for other threads: 100,000 of our turns and 10 s (on
 * other CPUs they run beside us, and our turns are no measure of theirs). */
static int waited_enough(int spins, uint64_t t0)
{
    return spins >= 100000 && sys_kernel_info(KINFO_TICKS) - t0 > 1000;
}

static int past_the_bound(const char *name)
{
    sleeper = fork();
    if (sleeper == 0)
        utest_block();
    if (sleeper < 0)
        return utest_fail(name, "fork the sleeper", (uint64_t)-sleeper, 0);
    int64_t stacks = mmap(0, WAITERS_MAX * 4 * PAGE, PROT_READ | PROT_WRITE, 0);
    if (stacks < 0)
        return utest_fail(name, "mmap", (uint64_t)-stacks, 0);
    handle_t waiters[WAITERS_MAX];
    for (int i = 0; i < WAITERS_MAX; i++) {
        uint64_t top = (uint64_t)stacks + (uint64_t)(i + 1) * 4 * PAGE - 8;
        if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)extra_waiter, top, 10, (uint64_t)i,
                              &waiters[i]) ||
            sys_thread_start(waiters[i]))
            return utest_fail(name, "extra waiter", (uint64_t)i, 0);
    }
    /* Until they are all in wait() (on other CPUs they run beside us: our
     * turns are no measure of theirs), at most 5 s. */
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (int i = 0; i < WAITERS_MAX && sys_kernel_info(KINFO_TICKS) - t0 < 500;) {
        uint64_t status;
        if (sys_thread_state(waiters[i], &status) == THREAD_BLOCKED_REPLY)
            i++;
        else
            sys_yield();
    }
    for (int i = 0; i < WAITERS_MAX; i++)
        sys_handle_close(waiters[i]);
    int st;
    int64_t r = wait_pid(sleeper, &st);
    kill_child(sleeper);
    int done = 0, got = 0, echild = 0;
    t0 = sys_kernel_info(KINFO_TICKS);
    for (int spins = 0; !waited_enough(spins, t0) && done < WAITERS_MAX; spins++) {
        done = got = echild = 0;
        for (int i = 0; i < WAITERS_MAX; i++) {
            done += extra_done[i];
            got += extra_done[i] && extra_pid[i] == sleeper;
            echild += extra_done[i] && extra_pid[i] == -(int64_t)PG_ECHILD;
        }
        sys_yield();
    }
    munmap((uint64_t)stacks, WAITERS_MAX * 4 * PAGE);
    if (r != -(int64_t)PG_ELIMIT)
        return utest_fail(name, "a waiter past the bound got", (uint64_t)-r, PG_ELIMIT);
    if (done != WAITERS_MAX || got != 1 || echild != WAITERS_MAX - 1)
        return utest_fail(name, "waiters of a killed child: done, got it", (uint64_t)done,
                          (uint64_t)got);
    return utest_pass(name);
}

static int many_waiters(void)
{
    const char *name = "hostile_many_waiters";
    int64_t stacks = mmap(0, WAITING * 4 * PAGE, PROT_READ | PROT_WRITE, 0);
    if (stacks < 0)
        return utest_fail(name, "mmap", (uint64_t)-stacks, 0);
    for (int i = 0; i < WAITING; i++) {
        kid[i] = fork();
        if (kid[i] == 0)
            child(20 + i);
        if (kid[i] < 0)
            return utest_fail(name, "fork", (uint64_t)-kid[i], (uint64_t)i);
    }
    for (int i = 0; i < WAITING; i++) {
        handle_t t;
        uint64_t top = (uint64_t)stacks + (uint64_t)(i + 1) * 4 * PAGE - 8;
        if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)waiter, top, 10, (uint64_t)i, &t) ||
            sys_thread_start(t))
            return utest_fail(name, "waiter thread", (uint64_t)i, 0);
        sys_handle_close(t);
    }
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (int spins = 0; !waited_enough(spins, t0); spins++) {
        int done = 0;
        for (int i = 0; i < WAITING; i++)
            done += waiting_done[i];
        if (done == WAITING)
            break;
        sys_yield();
    }
    for (int i = 0; i < WAITING; i++)
        if (!waiting_done[i] || got_pid[i] != kid[i] || got_status[i] != 20 + i)
            return utest_fail(name, "a waiter got", (uint64_t)got_pid[i], (uint64_t)got_status[i]);

    munmap((uint64_t)stacks, WAITING * 4 * PAGE);
    return past_the_bound(name);
}


/* ---- malformed requests ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { return xorshift64(&rng); }

/* Random requests; exit is the only one that must not come. */
static void __attribute__((noreturn)) babble(uint64_t seed)
{
    rng ^= seed * 0x2545f4914f6cdd1dull;
    handle_t ep;
    sys_endpoint_create(&ep);
    for (int i = 0; i < 400; i++) {
        uint64_t label = next() % 4 ? 0x9000 + next() % 24 : next() & TAG_LABEL_MASK;
        if (label == PG_EXIT || label == PG_FORK || label == PG_SPAWN || label == PG_WAIT)
            label = PG_GETPID;                /* those change the world on purpose */
        uint64_t tag = label | (next() % 3 == 0 ? TAG_GRANT : 0);
        struct ipc_msg m;
        raw(tag, next(), next() % 3 ? next() : next() % (1ull << 20), next(),
            tag & TAG_GRANT ? ep : next(), &m);
    }
    exit(0);
}

static int malformed(void)
{
    const char *name = "hostile_malformed";
    struct pager_stats a, b;
    int st;
    int64_t warm = fork();                    /* the pager's tables for a child, once */
    if (warm == 0)
        babble(0);
    wait_pid(warm, &st);
    if (pager_stats(&a))
        return utest_fail(name, "stats", 0, 0);
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS), mappings = sys_kernel_info(KINFO_MAPPINGS);
    for (uint64_t c = 1; c <= 20; c++) {
        int64_t pid = fork();
        if (pid == 0)
            babble(c);
        st = -1;
        if (pid < 0 || wait_pid(pid, &st) != pid)
            return utest_fail(name, "child", c, (uint64_t)-pid);
    }
    if (pager_stats(&b))
        return utest_fail(name, "stats after", 0, 0);
    if (b.frames_free != a.frames_free || b.committed != a.committed ||
        b.processes != a.processes)
        return utest_fail(name, "pager frames free / commit changed",
                          b.frames_free - a.frames_free, b.committed - a.committed);
    if (sys_kernel_info(KINFO_OBJECTS) != objects || sys_kernel_info(KINFO_MAPPINGS) != mappings)
        return utest_fail(name, "kernel objects / mappings", sys_kernel_info(KINFO_OBJECTS),
                          objects);
    return utest_pass(name);
}

int main(void)
{
    int failed = grant_spam();
    failed += many_waiters();
    failed += malformed();
    return failed;
}
