/*
 * fuzz: random system calls and IPC against the kernel and the pager, and
 * random faults in children it forks. Every call must come back with a
 * status (never a crash), every bad child must be killed cleanly, and the
 * run must end normally. Replay with "fuzz.seed=N fuzz.calls=M".
 *
 * What it never does (it would end the fuzzer itself, not test anything):
 * exit or close its pager and self handles, or block on an endpoint nobody
 * serves. Threads with random entry points go into spaces it created.
 */
#include <ipc/fault.h>
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>
#include <ipc/xorshift.h>

static uint64_t rng;

static uint64_t rnd(void) { return xorshift64(&rng); }

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

/* ---- what the fuzzer holds ---- */
#define POOL 16
static handle_t spaces[POOL], endpoints[POOL], threads[POOL];
static handle_t echo_ep;               /* served by our echo thread: never blocks */
static uint64_t sandbox;               /* pages of ours we may map elsewhere */
static const char text[] = "fuzz: printable test text\n";
extern char __image_start[];

static uint64_t calls, errors, killed;

static handle_t pick(const handle_t *pool) { return pool[below(POOL)]; }

/* A closed handle's number will be reused: no pool may keep it. */
static void forget(handle_t h)
{
    for (int i = 0; i < POOL; i++) {
        if (spaces[i] == h)
            spaces[i] = 0;
        if (endpoints[i] == h)
            endpoints[i] = 0;
        if (threads[i] == h)
            threads[i] = 0;
    }
}

/* Handles: ours (valid), junk, and the two we must keep (1, 2). */
static handle_t any_handle(void)
{
    switch (below(8)) {
    case 0: return pick(spaces);
    case 1: return pick(endpoints);
    case 2: return pick(threads);
    case 3: return below(2) ? PAGER_HANDLE : SELF_SPACE_HANDLE;
    case 4: return below(64);
    case 5: return rnd();
    case 6: return HANDLE_MAX + below(100);
    default: return echo_ep;
    }
}

/* Addresses: kernel half, non-canonical, unaligned, unmapped, read-only,
 * straddling the end of a mapping, and valid ones. */
static uint64_t any_addr(void)
{
    switch (below(9)) {
    case 0: return 0xffff800000000000ull + below(1ull << 30);
    case 1: return 0xffffffff80000000ull + below(1 << 20);
    case 2: return 0x0000800000000000ull + below(1ull << 40);
    case 3: return sandbox + 1 + below(4095);
    case 4: return 0x3000000000ull + below(1ull << 30);
    case 5: return (uint64_t)__image_start;              /* our text: read-only */
    case 6: return sandbox + 16 * 4096 - 8;              /* straddles the end */
    case 7: return sandbox + below(16) * 4096;
    default: return rnd();
    }
}

static uint64_t any_len(void)
{
    switch (below(5)) {
    case 0: return 0;
    case 1: return below(64);
    case 2: return 4096 * (1 + below(4));
    case 3: return ~0ull - below(100);
    default: return rnd();
    }
}

static uint64_t any_value(void)
{
    switch (below(4)) {
    case 0: return below(8);
    case 1: return rnd();
    case 2: return any_addr();
    default: return any_len();
    }
}

static void count(uint64_t status)
{
    calls++;
    if (status)
        errors++;
}

static uint64_t enosys;

/* A number no system call has: just past the last, around 2^32 and 2^63,
 * the top of the range, or anywhere in the 64-bit range. */
static uint64_t unknown_number(void)
{
    switch (below(5)) {
    case 0: return SYS_COUNT + below(16);
    case 1: return (1ull << 32) - 8 + below(16);
    case 2: return (1ull << 63) - 8 + below(16);
    case 3: return ~0ull - below(16);
    default: {
        uint64_t nr = rnd();
        return nr < SYS_COUNT ? nr + SYS_COUNT : nr;
    }
    }
}

/* Every unknown number answers IPC_ENOSYS, through either stub (the light
 * one clobbers what a C call may; the switching one saves everything). */
static int unknown_call(void)
{
    uint64_t nr = unknown_number(), st;
    if (below(2)) {
        st = sys_light5(nr, any_value(), any_value(), any_value(), any_value(),
                        any_value()).status;
    } else {
        struct ipc_msg m = { .tag = rnd(), .w = { rnd(), rnd(), rnd(), rnd() } };
        st = sys_ipc(nr, any_handle(), &m).status;
    }
    count(st);
    enosys += st == IPC_ENOSYS;
    if (st != IPC_ENOSYS) {
        printf("\nfuzz: FAIL: system call 0x%lx answered %lu, not IPC_ENOSYS\n", nr, st);
        return 1;
    }
    return 0;
}

/* A light call with random arguments (any number, valid or not). */
static void light_call(void)
{
    uint64_t nr = below(4) ? below(SYS_LIGHT_COUNT) : rnd() % 64;
    if (nr >= SYS_LIGHT_COUNT)
        nr = below(SYS_LIGHT_COUNT);
    if (nr == SYS_HANDLE_CLOSE) {
        handle_t h = any_handle();
        if (h == PAGER_HANDLE || h == SELF_SPACE_HANDLE || h == echo_ep)
            return;
        count(sys_handle_close(h));
        forget(h);
        return;
    }
    if (nr == SYS_DEBUG_PUTS) {
        /* Valid pointers print a known line; bad ones must be refused. */
        uint64_t p = below(3) ? any_addr() : (uint64_t)text;
        uint64_t n = p == (uint64_t)text ? sizeof(text) - 1 : below(3) ? any_len() : 8;
        if (p == sandbox + below(16) * 4096)
            return;
        struct sys_ret r = sys_light4(SYS_DEBUG_PUTS, p, n, 0, 0);
        count(r.status);
        return;
    }
    if (nr == SYS_THREAD_CREATE) {
        /* Only in spaces we made: a random entry point faults and dies there. */
        handle_t t, space = pick(spaces);
        /* Any pager for the space, our own pager's endpoint included: the
         * kernel must refuse that one (we lack RIGHT_GRANT on it), or the
         * pager would take these faults for ours. */
        handle_t pager = below(2) ? HANDLE_NONE : below(2) ? PAGER_HANDLE : any_handle();
        uint64_t st = sys_space_set_pager(space, pager);
        if (pager == PAGER_HANDLE && st == IPC_OK) {
            printf("\nfuzz: FAIL: our pager's endpoint was accepted as a created space's pager\n");
            exit(3);
        }
        count(st);
        st = sys_thread_create(space, any_addr(), any_addr(), below(12), rnd(), &t);
        count(st);
        if (!st) {
            handle_t *slot = &threads[below(POOL)];
            if (*slot) {
                sys_handle_close(*slot);
                forget(*slot);
            }
            *slot = t;
            if (below(2))
                sys_thread_start(t);
        }
        return;
    }
    if (nr == SYS_SPACE_CREATE || nr == SYS_ENDPOINT_CREATE) {
        handle_t h;
        uint64_t st = nr == SYS_SPACE_CREATE ? sys_space_create(&h) : sys_endpoint_create(&h);
        count(st);
        if (!st) {
            handle_t *slot = nr == SYS_SPACE_CREATE ? &spaces[below(POOL)] : &endpoints[below(POOL)];
            if (*slot) {
                sys_handle_close(*slot);
                forget(*slot);
            }
            *slot = h;
        }
        return;
    }
    if (nr == SYS_SPACE_LIMIT) {
        /* Accounts for spaces we made, under them or us, any limit: never
         * past our own (the kernel checks every charge all the way up). */
        uint64_t own;
        handle_t under = below(2) ? HANDLE_NONE : below(2) ? pick(spaces) : any_handle();
        count(sys_space_limit(below(4) ? pick(spaces) : any_handle(), any_value(), under, &own));
        return;
    }
    if (nr == SYS_HANDLE_GRANT) {
        handle_t out;
        count(sys_handle_grant(pick(spaces), any_handle(), (uint32_t)below(256), any_value(), &out));
        return;
    }
    if (nr == SYS_MAP || nr == SYS_UNMAP || nr == SYS_PROTECT) {
        handle_t target = below(4) ? pick(spaces) : any_handle();
        if (target == SELF_SPACE_HANDLE && nr != SYS_MAP)
            target = pick(spaces);
        count(sys_light5(nr, target, any_addr(), any_addr(), below(2) ? below(4) : any_len(),
                         below(8)).status);
        return;
    }
    count(sys_light5(nr, any_value(), any_value(), any_value(), any_value(), any_value()).status);
}

/* IPC and scheduling calls, on endpoints that answer or refuse at once. */
static void switching_call(void)
{
    static const uint64_t safe_labels[] = { PG_GETPID, PG_STATS, PG_MMAP, PG_GETENV, 0x1234 };
    uint64_t nr = SYS_FIRST_SWITCHING + below(SYS_COUNT - SYS_FIRST_SWITCHING + 3);
    struct ipc_msg m = { .tag = rnd() & ~(TAG_GRANT | TAG_MAP), .w = { any_value(), any_value(), any_value(), any_value() } };
    /* Handles that answer at once or refuse at once; never an endpoint of
     * ours that nobody serves (that would block us for good). */
    static const handle_t refusing[] = { 0, HANDLE_MAX, HANDLE_MAX + 5, ~0ull, 1ull << 40 };
    handle_t h;
    switch (below(4)) {
    case 0: h = refusing[below(5)]; break;
    case 1: h = below(2) ? pick(spaces) : pick(threads); break;    /* wrong type */
    default: h = below(3) ? echo_ep : PAGER_HANDLE; break;
    }
    switch (nr) {
    case SYS_EXIT:
        return;
    case SYS_CALL:
    case SYS_SEND:
        if (h == PAGER_HANDLE) {
            if (nr == SYS_SEND)
                return;                             /* a send the pager never answers */
            m.tag = safe_labels[below(5)];
            if (m.tag == PG_MMAP) {                 /* only in the sandbox area */
                m.w[0] = 0;
                m.w[3] = 0;
            }
        }
        break;
    case SYS_RECV:
    case SYS_REPLY_RECV:
        if (h == echo_ep || h == PAGER_HANDLE)
            h = refusing[below(5)];
        break;
    case SYS_THREAD_STOP:
    case SYS_THREAD_DESTROY:
    case SYS_THREAD_START:
        if (below(2))
            h = pick(threads);
        break;
    case SYS_SPACE_DESTROY:
        if (h == SELF_SPACE_HANDLE)
            h = pick(spaces);
        break;
    case SYS_ENDPOINT_DESTROY:
        if (h == echo_ep)
            h = pick(endpoints);
        break;
    default:
        break;
    }
    count(sys_ipc(nr, h, &m).status);
}

/* Recursion without end: the stack's guard page stops it. */
static volatile uint64_t depth_limit = ~0ull;
static uint64_t overflow(uint64_t depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    return depth < depth_limit ? overflow(depth + 1) + frame[0] : 0;
}

/* Children that misbehave: each must be killed, nothing else affected. */
static void bad_child(void)
{
    int64_t pid = fork();
    if (pid == 0) {
        switch (below(6)) {
        case 0: ((void (*)(void))(rnd() & 0x00007fffffffffffull))(); break;   /* bad jump */
        case 1: *(volatile uint8_t *)__image_start = 0xcc; break;            /* write text */
        case 2: { volatile uint64_t z = 0; calls = 1 / z; break; }            /* #DE */
        case 3: overflow(0); break;                                       /* stack */
        case 4: __asm__ volatile("ud2"); break;
        default: *(volatile uint64_t *)any_addr() = 1; break;
        }
        exit(0);                                    /* some addresses were valid */
    }
    if (pid > 0) {
        int status = 0;
        wait_pid(pid, &status);
        if (status & 0x80)
            killed++;
    }
}

static void echo(void)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(echo_ep, &m);
    for (;;) {
        m.tag &= ~(TAG_GRANT | TAG_MAP);
        st = sys_reply_recv(echo_ep, &m);
        if (st.status)                    /* e.g. a fault message echoed back */
            st = sys_recv(echo_ep, &m);
    }
}

static void start_echo(void)
{
    int64_t stack = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, 0);
    sys_endpoint_create(&echo_ep);
    handle_t t;
    sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)echo, (uint64_t)stack + 16 * 4096 - 8,
                      10, 0, &t);
    sys_thread_start(t);
}

/* ---- the pager protocol from throwaway children ---- */

static uint64_t babblers;

/* A child that sends the pager random requests (every label near the
 * protocol's and random ones, random words, grants of its own handles),
 * then exits. A malformed request gets an error and the pager goes on;
 * the child may still be killed by what it asked for (an munmap of its
 * own stack, an mprotect of its text), so it must end by exit or by a
 * kill, nothing else. Fork, wait and spawn are left out (they would make
 * children of their own at random addresses). */
static void babbler(void)
{
    int64_t pid = fork();
    if (pid == 0) {
        handle_t ep;
        sys_endpoint_create(&ep);
        for (int i = 0; i < 200; i++) {
            uint64_t label = below(4) ? PG_EXIT + 1 + below(24) : rnd() & TAG_LABEL_MASK;
            if (label == PG_FORK || label == PG_WAIT || label == PG_SPAWN || label == PG_EXIT)
                label = PG_GETPID;
            uint64_t tag = label | (below(3) ? 0 : TAG_GRANT);
            struct ipc_msg m = { .tag = tag, .w = { any_value(), any_value(), any_value(),
                                                    tag & TAG_GRANT ? ep : any_value() } };
            sys_call(PAGER_HANDLE, &m);
        }
        exit(0);
    }
    if (pid > 0) {
        int status = -1;
        wait_pid(pid, &status);
        babblers++;
        if (status != 0 && (status < 0x80 || status > 0x84)) {
            printf("\nfuzz: FAIL: a pager babbler ended with status %d\n", status);
            exit(4);
        }
    }
}

/* One fuzzer: `total` calls from seed. Returns its failures. */
static int fuzz_run(unsigned proc, uint64_t seed, uint64_t total)
{
    rng = seed ? seed : 1;
    int failed = 0;
    sandbox = (uint64_t)mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, 0);
    for (int i = 0; i < 16; i++)
        *(volatile uint64_t *)(sandbox + i * 4096) = 0;
    start_echo();
    for (int i = 0; i < 4; i++) {
        sys_space_create(&spaces[i]);
        sys_endpoint_create(&endpoints[i]);
    }
    uint64_t children = 0, next_report = 100000;
    while (calls < total) {
        uint64_t k = below(1000);
        if (k < 2 && children < total / 500 + 1) {
            bad_child();
            children++;
        } else if (k < 3 && babblers < total / 2000 + 1) {
            babbler();
        } else if (k < 40) {
            failed += unknown_call();
        } else if (k < 600) {
            light_call();
        } else {
            switching_call();
        }
        if (calls >= next_report) {
            printf("fuzz[%u]: %lu calls so far\n", proc, calls);
            next_report += 100000;
        }
    }
    /* Children misbehave on purpose: each must have been killed, and the
     * count says so (a run whose children all survived tested nothing). */
    if (children && !killed) {
        printf("\nfuzz: FAIL: %lu misbehaving children, none killed\n", children);
        failed++;
    }
    /* (Each line starts with a newline: another process's random print
     * may have left one open; a printf reaches the console in one call.) */
    printf("\nFUZZ proc=%u calls=%lu errors=%lu enosys=%lu bad_children=%lu killed=%lu "
           "pager_babblers=%lu seed=%lu\n", proc, calls, errors, enosys, children, killed,
           babblers, seed);
    return failed;
}

/* ---- canaries beside the fuzzers ---- */

#define CANARY_PAGES 8
static uint64_t canary_rounds;   /* about as long as the fuzzers run: calls / 2,500 */

/* Rounds of honest work that must come out right however hard the fuzzers
 * push: memory that keeps its contents, a fork whose child sees the
 * parent's pages and changes only its own copies, an exit status that
 * arrives. Exits 0, or the round and step that went wrong. */
static void __attribute__((noreturn)) canary(unsigned id)
{
    for (uint64_t round = 1; round <= canary_rounds; round++) {
        int64_t a = mmap(0, CANARY_PAGES * 4096, PROT_READ | PROT_WRITE, 0);
        if (a < 0)
            exit(10);
        volatile uint64_t *w = (volatile uint64_t *)a;
        for (uint64_t i = 0; i < CANARY_PAGES; i++)
            w[i * 512] = round * 1000 + i;
        int64_t pid = fork();
        if (pid == 0) {
            for (uint64_t i = 0; i < CANARY_PAGES; i++)
                if (w[i * 512] != round * 1000 + i)
                    exit(1);
            for (uint64_t i = 0; i < CANARY_PAGES; i++)
                w[i * 512] = 7;
            exit(7);
        }
        int status = -1;
        if (pid < 0 || wait_pid(pid, &status) != pid || status != 7)
            exit(20);
        for (uint64_t i = 0; i < CANARY_PAGES; i++)
            if (w[i * 512] != round * 1000 + i)
                exit(30);
        if (munmap((uint64_t)a, CANARY_PAGES * 4096))
            exit(40);
        sys_yield();
    }
    printf("\nfuzz: canary %u: %lu rounds right\n", id, canary_rounds);
    exit(0);
}

/* What main read from the command line, for the children it starts. */
static uint64_t seed, total, procs, canaries;

static void __attribute__((noreturn)) fuzzer(unsigned i)
{
    exit(fuzz_run(i, seed + i, total / procs) ? 1 : 0);
}

/* Starts n children running body(0..n-1) (each exits with 0 when all went
 * right), waits for every one; returns how many failed or did not start. */
static unsigned run_children(const char *what, unsigned n, void (*body)(unsigned))
{
    int64_t pids[16];
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            body(i);
        if (pids[i] < 0) {
            printf("\nfuzz: FAIL: cannot fork %s %u (%ld)\n", what, i, -pids[i]);
            bad++;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        int status = -1;
        if (pids[i] > 0 && (wait_pid(pids[i], &status) != pids[i] || status != 0)) {
            printf("\nfuzz: FAIL: %s %u (pid %ld) ended with status %d\n", what, i, pids[i],
                   status);
            bad++;
        }
    }
    return bad;
}

int main(void)
{
    seed = getenv_number("fuzz.seed", 12345);
    total = getenv_number("fuzz.calls", 100000);
    procs = getenv_number("fuzz.procs", 3);
    canaries = getenv_number("fuzz.canaries", 2);
    if (procs < 1 || procs > 16 || canaries > 16) {
        printf("\nfuzz: FAIL: fuzz.procs must be 1..16 and fuzz.canaries 0..16\n");
        return 2;
    }
    printf("fuzz: seed=%lu calls=%lu procs=%lu canaries=%lu (replay: --append \"fuzz.seed=%lu "
           "fuzz.calls=%lu fuzz.procs=%lu\")\n", seed, total, procs, canaries, seed, total, procs);
    /* The fuzzers run in a group process of their own, the canaries beside
     * it: the pager nests each child's kernel-memory account in its
     * parent's at three quarters, so the fuzzers together can take at most
     * three quarters of ours (they do: their spaces keep the page tables
     * of every random address they mapped), and the canaries keep the
     * rest. Fuzzer i runs total/procs calls from seed + i. */
    canary_rounds = total / 2500 + 10;
    unsigned failed = 0;
    /* Our account, exactly back once every child is gone (after a warm-up
     * that lets our stock of child accounts grow to what it needs). */
    for (unsigned i = 0; i <= canaries; i++) {
        int64_t pid = fork();
        if (pid == 0)
            exit(0);
        wait_pid(pid, 0);
    }
    uint64_t kmem_before = sys_kernel_info(KINFO_KMEM_USED);
    uint64_t objects_before = sys_kernel_info(KINFO_OBJECTS);
    int64_t group = fork();
    if (group == 0)
        exit((int)run_children("fuzzer", (unsigned)procs, fuzzer));
    if (group < 0) {
        printf("\nfuzz: FAIL: cannot fork the fuzzers' group (%ld)\n", -group);
        return 1;
    }
    failed += run_children("canary", (unsigned)canaries, canary);
    int status = -1;
    if (wait_pid(group, &status) != group || status != 0)
        failed += status > 0 ? (unsigned)status : 1;
    uint64_t kmem_after = sys_kernel_info(KINFO_KMEM_USED);
    if (kmem_after != kmem_before) {
        printf("\nfuzz: FAIL: our kernel-memory account holds %lu frames after, %lu before\n",
               kmem_after, kmem_before);
        failed++;
    }
    /* And every kernel object the fuzzers made is gone with them: at once
     * on one CPU; with several, a thread killed while it ran on another
     * CPU goes when that CPU next enters the kernel (an IPI away), so a
     * little later (at most a second here). */
    uint64_t objects_after = sys_kernel_info(KINFO_OBJECTS);
    for (uint64_t t0 = sys_kernel_info(KINFO_TICKS);
         objects_after != objects_before && sys_kernel_info(KINFO_TICKS) - t0 < 100;
         objects_after = sys_kernel_info(KINFO_OBJECTS))
        sys_yield();
    if (objects_after != objects_before) {
        printf("\nfuzz: FAIL: %lu kernel objects after, %lu before\n", objects_after,
               objects_before);
        failed++;
    }
    printf("\nFUZZ procs=%lu canaries=%lu failed=%u seed=%lu\n", procs, canaries, failed, seed);
    pager_print_stats();
    return failed ? 1 : 0;
}
