/*
 * t_smp: one process's threads on several CPUs, each pinned
 * (sys_thread_pin) and checking (KINFO_CPU) that it runs where it was
 * pinned, against the kernel's TLB shootdown (arch/x86_64/tlb.c):
 *
 *   (a) copy-on-write after fork. A writer thread writes PRE into NP pages
 *       (its CPU caches writable entries), the main thread forks (the pager
 *       makes the pages read-only: every CPU must drop those entries), then
 *       in each process a writer on one CPU writes its own values page by
 *       page (the parent PAR, the child CHI) while a checker on another CPU
 *       reads each page before it is written (its CPU caches the shared
 *       frame) and after the writer says it is written (the mapping now
 *       names a copy: its CPU must have dropped the old entry). Each must
 *       see exactly its process's value: never the other process's (a
 *       writable entry left after fork), never an older one (a stale
 *       entry). The CPUs of the writer and the checker go round every
 *       ordered pair; the child's are the parent's swapped.
 *   (b) meanwhile an unmapper thread munmaps a region and maps it again (a
 *       fresh zero page; a scratch page taken in between makes the new
 *       frame differ from the old one) and writes generation g into it; a
 *       reader on another CPU, told g is in place (through a page that
 *       stays mapped), must read exactly g and zeros elsewhere, in lock
 *       step, over many generations. Both pin themselves to other CPUs
 *       every 64 generations.
 *   (c) a child's reader on one CPU keeps reading a page its main thread
 *       then munmaps on another: the next read must fault (the pager kills
 *       the child, status 0x81) and never read the old frame.
 *
 * The whole test runs twice: a short warm-up round (it grows the kernel's
 * slabs and the page tables at the addresses used), then the measured
 * round, after which the kernel's objects, free frames and mapping nodes
 * and the pager's free frames must be exactly what they were before it.
 * t_smp.forks=N and t_smp.gens=N on the command line change the measured
 * round's fork iterations (default 200) and least generations (1000).
 */
#include "../utest/utest.h"
#include <ipc/fault.h>
#include <ipc/ulib.h>
#include <stdbool.h>

#define NAME        "t_smp"
#define PAGE        4096ull
#define WORDS       (PAGE / 8)
#define NP          8                    /* pages shared at each fork */
#define A_PAGES     4                    /* the region unmapped and mapped again */
#define STACK       (16 * PAGE)
#define PRIO        10                   /* the main thread's, the workers' */
/* (b)'s threads run below the others: they are always busy, and a thread
 * woken on another CPU preempts only what it outranks (else it waits for
 * the end of a time slice there). */
#define PRIO_B      9
#define WAIT_TICKS  3000                 /* 30 s: a wait longer than this is a hang */
#define PIN_EVERY   64                   /* generations between the (b) threads' moves */
#define KILL_VA     0x00005a5a00000000ull  /* (c): the page the child reads */
#define KILL_OFF    0x5a8ull

/* Values: a tag in the top 16 bits, the fork iteration, the page. */
#define TAG_PRE     0x5052ull            /* "PR": written before the fork */
#define TAG_PAR     0x5041ull            /* "PA": the parent's, after it */
#define TAG_CHI     0x4348ull            /* "CH": the child's */
#define VAL(tag, i, j) ((uint64_t)(tag) << 48 | (uint64_t)(i) << 16 | (uint64_t)(j))
#define GEN(g, p)   (0x47454e0000000000ull | (uint64_t)(g) << 8 | (uint64_t)(p))
#define SCRATCH(g)  (0x5343520000000000ull | (uint64_t)(g))

enum { CMD_PRE = 1, CMD_PRE_SPIN, CMD_PAGE, CMD_CHECK, CMD_VERIFY, CMD_QUIT, CMD_GEN };

/* What went wrong (counted, so that one run shows how much). The child
 * reports its own as its exit status: 0x40 | the bits of its kinds. */
enum { F_OTHER, F_STALE, F_CPU, F_GEN, F_NOFAULT, F_BROKEN, F_KINDS };
static const char *const kind_names[F_KINDS] = {
    "saw the other process's value", "saw a stale value", "ran on a CPU it was not pinned to",
    "read a wrong generation", "read an unmapped page without a fault",
    "a call or wait failed",
};
static volatile uint64_t fails[F_KINDS];
static volatile int broken;              /* F_BROKEN: every loop gives up */
static volatile uint64_t first_a, first_b, first_c;
static const char *volatile first_what;

static void note(int kind, const char *what, uint64_t a, uint64_t b, uint64_t c)
{
    if (__atomic_fetch_add(&fails[kind], 1, __ATOMIC_SEQ_CST) == 0 && !first_what) {
        first_a = a;
        first_b = b;
        first_c = c;
        first_what = what;
    }
    if (kind == F_BROKEN)
        broken = 1;
}

static uint64_t total_fails(void)
{
    uint64_t n = 0;
    for (int k = 0; k < F_KINDS; k++)
        n += fails[k];
    return n;
}

static void reset_fails(void)
{
    for (int k = 0; k < F_KINDS; k++)
        fails[k] = 0;
    broken = 0;
    first_what = 0;
}

static unsigned ncpu;
static uint64_t ticks(void) { return sys_kernel_info(KINFO_TICKS); }

static void check_cpu(unsigned want, const char *who)
{
    uint64_t on = sys_kernel_info(KINFO_CPU);
    if (on != want)
        note(F_CPU, who, on, want, 0);
}

/* Waits until *p >= v: spins (its CPU keeps its TLB), now and then yields
 * (a thread of this CPU may be what it waits for). 0, or -1 when the run
 * broke or the wait took WAIT_TICKS. */
static int wait_ge(volatile uint64_t *p, uint64_t v, const char *what)
{
    uint64_t t0 = 0;
    for (unsigned n = 1; __atomic_load_n(p, __ATOMIC_ACQUIRE) < v; n++) {
        if (broken)
            return -1;
        if (!(n & 1023)) {
            uint64_t now = ticks();
            if (!t0)
                t0 = now;
            else if (now - t0 > WAIT_TICKS) {
                note(F_BROKEN, what, __atomic_load_n(p, __ATOMIC_ACQUIRE), v, 0);
                return -1;
            }
            sys_yield();
        }
        __builtin_ia32_pause();
    }
    return 0;
}

static void publish(volatile uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* ---- threads of our own space ---------------------------------------------- */

static handle_t thread_new(void (*fn)(uint64_t), uint64_t stack_top, uint64_t arg, unsigned cpu,
                           unsigned prio)
{
    handle_t t = 0;
    uint64_t err = sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)fn, stack_top, prio, arg, &t);
    if (err) {
        note(F_BROKEN, "thread_create", err, 0, 0);
        return 0;
    }
    if ((err = sys_thread_pin(t, cpu)) || (err = sys_thread_start(t))) {
        note(F_BROKEN, "pin or start a new thread", err, cpu, 0);
        return 0;
    }
    return t;
}

/* Thread t has sent its last message and is about to end itself; it may
 * not have run that far yet (one below our priority may wait long for its
 * CPU), so it is destroyed (IPC_EDEAD: it had ended), and its handle
 * closed: its object goes. */
static void thread_end(handle_t t)
{
    if (!t)
        return;
    uint64_t err = sys_thread_destroy(t);
    if (err && err != IPC_EDEAD)
        note(F_BROKEN, "thread_destroy", err, t, 0);
    sys_handle_close(t);
}

/* ---- (a) the pages shared at fork ------------------------------------------ */

static uint64_t shared;                  /* NP pages */
static uint64_t cow_checks;              /* pages the checker read after their write */

static volatile uint64_t *pg(uint64_t j) { return (volatile uint64_t *)(shared + j * PAGE); }

static void page_write(uint64_t j, uint64_t v)
{
    volatile uint64_t *p = pg(j);
    p[0] = v;
    p[WORDS / 2] = v;
    p[WORDS - 1] = v;
}

/* The page's value when its three words agree, else a value no writer uses. */
static uint64_t page_read(uint64_t j)
{
    volatile uint64_t *p = pg(j);
    uint64_t a = p[0], b = p[WORDS / 2], c = p[WORDS - 1];
    return a == b && b == c ? a : 0xbadbadbadbadull;
}

static uint64_t other_tag = TAG_CHI;     /* the other process's values (TAG_PAR in a child) */

/* v was read where `want` was due: which kind of wrong it is. */
static void judge(uint64_t v, uint64_t want, const char *when, uint64_t j)
{
    if (v != want)
        note(v >> 48 == other_tag ? F_OTHER : F_STALE, when, v, want, j);
}

static void write_all(uint64_t base)
{
    for (uint64_t j = 0; j < NP; j++)
        page_write(j, base | j);
}

/* Every page holds base | page, read from this thread's CPU. */
static void check_all(uint64_t base, const char *when)
{
    for (uint64_t j = 0; j < NP; j++)
        judge(page_read(j), base | j, when, j);
}

/* The parked thread whose state is the writer's signal in the "protect"
 * iterations: blocked in a receive until the main thread stops it once
 * its fork returned. (A flag in memory would not do: the main thread's
 * write to it after the fork is itself a copy-on-write replacement, which
 * the spinning writer's CPU would see only after a shootdown.) */
static handle_t park_thread, park_ep;

static void parked(uint64_t unused)
{
    (void)unused;
    for (;;) {
        struct ipc_msg m;
        sys_recv(park_ep, &m);           /* IPC_ECANCELED when stopped: again */
    }
}

static void done_message(uint64_t idx, uint64_t cmd);

/* The writer of a "protect" iteration: PRE in every page (its CPU caches
 * writable entries), says so, and spins in user mode on its CPU (a child
 * placed there waits behind it) until the fork has returned; then PAR in
 * every page at once. Each of those writes must fault: the fork made the
 * pages read-only, and this CPU must have dropped its writable entries
 * (else the writes land in the frames the child shares, which its checks
 * see). */
static void pre_spin(uint64_t pre, uint64_t par)
{
    write_all(pre);
    done_message(0, CMD_PRE_SPIN);
    uint64_t t0 = ticks(), st;
    for (unsigned n = 1; sys_thread_state(park_thread, &st) == THREAD_BLOCKED_RECV; n++) {
        if (!(n & 255) && ticks() - t0 > WAIT_TICKS) {
            note(F_BROKEN, "the writer waits for the fork", 0, 0, 0);
            return;
        }
    }
    write_all(par);
}

/* Two workers per process, each waiting for orders on its endpoint: 0 the
 * writer, 1 the checker. The main thread's orders are sends, answered on
 * done_ep; the checker's to the writer (CMD_PAGE) are calls. */
struct worker {
    handle_t ep, thread;
};
static struct worker workers[2];
static handle_t done_ep;

/* The checker: each page read before its write (the checker's CPU caches
 * the shared frame), the write asked of the writer on its CPU (a call: the
 * checker's CPU idles, keeping its entries, while the writer copies), and
 * read again once the writer has answered. */
static void phase_check(uint64_t pre, uint64_t base, uint64_t writer_cpu)
{
    for (uint64_t j = 0; j < NP; j++) {
        judge(page_read(j), pre | j, "checker, before the write", j);
        struct ipc_msg m = { .tag = CMD_PAGE, .w = { writer_cpu, j, base | j, 0 } };
        struct ipc_status st = sys_call(workers[0].ep, &m);
        if (st.status || m.w[0] != j) {
            note(F_BROKEN, "the checker's call to the writer", st.status, m.w[0], j);
            return;
        }
        judge(page_read(j), base | j, "checker, after the write", j);
        cow_checks++;
    }
}

static void worker_main(uint64_t idx)
{
    struct worker *w = &workers[idx];
    for (;;) {
        struct ipc_msg m;
        struct ipc_status st = sys_recv(w->ep, &m);
        if (st.status) {
            note(F_BROKEN, "worker's receive", st.status, idx, 0);
            sys_exit(1);
        }
        uint64_t cmd = tag_label(m.tag), cpu = m.w[0];
        if (cmd != CMD_QUIT)
            check_cpu((unsigned)cpu, idx ? "the checker" : "the writer");
        if (cmd == CMD_PAGE) {
            page_write(m.w[1], m.w[2]);       /* a copy-on-write fault, mostly */
            check_cpu((unsigned)cpu, "the writer, after its write");
            struct ipc_msg r = { .tag = 1, .w = { m.w[1] } };
            uint64_t e = sys_reply(&r);
            if (e)
                note(F_BROKEN, "the writer's reply", e, 0, 0);
            continue;
        }
        if (cmd == CMD_PRE)
            write_all(m.w[1]);
        else if (cmd == CMD_PRE_SPIN)
            pre_spin(m.w[1], m.w[2]);
        else if (cmd == CMD_CHECK)
            phase_check(m.w[1], m.w[2], m.w[3]);
        else if (cmd == CMD_VERIFY) {
            check_all(m.w[1], "the checker, after the writer");
            cow_checks += NP;
        }
        if (cmd != CMD_QUIT)
            check_cpu((unsigned)cpu, idx ? "the checker, at its end" : "the writer, at its end");
        done_message(idx, cmd);
        if (cmd == CMD_QUIT)
            sys_exit(0);
    }
}

static void done_message(uint64_t idx, uint64_t cmd)
{
    struct ipc_msg d = { .tag = 1, .w = { idx, cmd } };
    struct ipc_status st = sys_send(done_ep, &d);
    if (st.status)
        note(F_BROKEN, "worker's done message", st.status, idx, 0);
}

static void order(int idx, uint64_t cmd, uint64_t cpu, uint64_t a, uint64_t b, uint64_t c)
{
    struct ipc_msg m = { .tag = cmd, .w = { cpu, a, b, c } };
    struct ipc_status st = sys_send(workers[idx].ep, &m);
    if (st.status)
        note(F_BROKEN, "order to a worker", st.status, (uint64_t)idx, cmd);
}

static void wait_done(int n)
{
    for (int i = 0; i < n; i++) {
        struct ipc_msg m;
        struct ipc_status st = sys_recv(done_ep, &m);
        if (st.status)
            note(F_BROKEN, "receive a worker's done", st.status, 0, 0);
    }
}

/* Endpoints and the two workers, on stacks at `stacks` (2 * STACK). */
static int workers_start(uint64_t stacks, unsigned cpu0, unsigned cpu1)
{
    uint64_t err;
    if ((err = sys_endpoint_create(&done_ep)) || (err = sys_endpoint_create(&workers[0].ep)) ||
        (err = sys_endpoint_create(&workers[1].ep))) {
        note(F_BROKEN, "endpoint_create", err, 0, 0);
        return -1;
    }
    workers[0].thread = thread_new(worker_main, stacks + STACK - 8, 0, cpu0, PRIO);
    workers[1].thread = thread_new(worker_main, stacks + 2 * STACK - 8, 1, cpu1, PRIO);
    return workers[0].thread && workers[1].thread ? 0 : -1;
}

static void endpoint_end(handle_t ep)
{
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

static void workers_end(void)
{
    order(0, CMD_QUIT, 0, 0, 0, 0);
    order(1, CMD_QUIT, 0, 0, 0, 0);
    wait_done(2);
    for (int i = 0; i < 2; i++) {
        thread_end(workers[i].thread);
        endpoint_end(workers[i].ep);
    }
    endpoint_end(done_ep);
}

/* The child of fork iteration i: its own writer on wcpu and checker on
 * ccpu (the parent's swapped); its main thread pins itself first. */
static void __attribute__((noreturn)) child_main(uint64_t i, unsigned wcpu, unsigned ccpu)
{
    reset_fails();
    cow_checks = 0;
    other_tag = TAG_PAR;
    unsigned me = (unsigned)(i % ncpu);
    if (sys_thread_pin(HANDLE_NONE, me))
        note(F_BROKEN, "the child pins itself", me, 0, 0);
    check_cpu(me, "the child's main thread, pinned");
    int64_t stacks = mmap(0, 2 * STACK, PROT_READ | PROT_WRITE, 0);
    if (stacks < 0 || workers_start((uint64_t)stacks, wcpu, ccpu))
        exit(0x40 | 1 << F_BROKEN);
    order(1, CMD_CHECK, ccpu, VAL(TAG_PRE, i, 0), VAL(TAG_CHI, i, 0), wcpu);
    wait_done(1);
    check_all(VAL(TAG_CHI, i, 0), "the child's main thread, at the end");
    if (cow_checks != NP)
        note(F_BROKEN, "the child's checker checked too few pages", cow_checks, NP, 0);
    int bits = 0;
    for (int k = 0; k < F_KINDS; k++)
        bits |= fails[k] ? 1 << k : 0;
    if (bits)
        printf("TEST %s fail child of fork %lu (writer on CPU %u, checker on %u): %s "
               "(0x%lx where 0x%lx was due, page %lu); %lu failures\n", NAME, i, wcpu, ccpu,
               first_what ? first_what : "?", first_a, first_b, first_c, total_fails());
    exit(bits ? 0x40 | bits : 0);        /* its workers die with it */
}

/* The parent's writer's and checker's CPUs for iteration i. Even
 * iterations test the fork's write protection: the writer is on a CPU
 * other than 0 (the pager's, whose switches flush it anyway). Odd ones
 * test the copies' replacements: the checker is. Each goes round the CPUs
 * and the other role round the rest. */
static void pair(uint64_t i, unsigned *writer, unsigned *checker)
{
    unsigned k = (unsigned)(i / 2), a = 1 + k % (ncpu - 1);
    unsigned b = (a + 1 + (k / (ncpu - 1)) % (ncpu - 1)) % ncpu;
    *writer = i & 1 ? b : a;
    *checker = i & 1 ? a : b;
}

static uint64_t child_failures;

static void fork_iteration(uint64_t i)
{
    unsigned x, y;
    pair(i, &x, &y);
    bool protect = !(i & 1);
    uint64_t err;
    if ((err = sys_thread_pin(workers[0].thread, x)) || (err = sys_thread_pin(workers[1].thread, y))) {
        note(F_BROKEN, "pin a waiting worker", err, x, y);
        return;
    }
    if (protect)
        order(0, CMD_PRE_SPIN, x, VAL(TAG_PRE, i, 0), VAL(TAG_PAR, i, 0), 0);
    else
        order(0, CMD_PRE, x, VAL(TAG_PRE, i, 0), 0, 0);
    wait_done(1);                        /* PRE written */
    int64_t pid = fork();
    if (pid == 0)
        child_main(i, y, x);
    if (protect) {
        if ((err = sys_thread_stop(park_thread)))   /* the writer's go */
            note(F_BROKEN, "stop the parked thread", err, 0, 0);
        wait_done(1);                    /* PAR written */
        if ((err = sys_thread_start(park_thread)))
            note(F_BROKEN, "start the parked thread", err, 0, 0);
        uint64_t st, t0 = ticks();       /* back in its receive before the next use */
        while (sys_thread_state(park_thread, &st) != THREAD_BLOCKED_RECV && !broken) {
            if (ticks() - t0 > WAIT_TICKS)
                note(F_BROKEN, "the parked thread does not receive again", 0, 0, 0);
            sys_yield();
        }
    }
    if (pid < 0) {
        note(F_BROKEN, "fork", (uint64_t)-pid, i, 0);
        return;
    }
    if (protect)
        order(1, CMD_VERIFY, y, VAL(TAG_PAR, i, 0), 0, 0);
    else
        order(1, CMD_CHECK, y, VAL(TAG_PRE, i, 0), VAL(TAG_PAR, i, 0), x);
    wait_done(1);
    check_all(VAL(TAG_PAR, i, 0), "the parent's main thread, after its phase");
    int st = -1;
    if (wait_pid(pid, &st) != pid || st != 0) {
        child_failures++;
        if (st & 0x40 && !(st & 0x80)) {
            for (int k = 0; k < F_KINDS; k++)
                if (st & 1 << k)
                    note(k, "(in a child)", (uint64_t)st, i, 0);
        } else {
            note(F_BROKEN, "the child's exit status", (uint64_t)st, i, 0);
        }
    }
    check_all(VAL(TAG_PAR, i, 0), "the parent's main thread, after the child ended");
}

/* ---- (b) unmapped and mapped again ----------------------------------------- */

static uint64_t area, scratch;           /* A_PAGES pages; one page */
static volatile uint64_t gen_pub, gen_done, gen_final, gen_stop, gen_min;
static handle_t reader_ep, fin_ep;

static unsigned reader_cpu(uint64_t g) { return 1 + (unsigned)(g / PIN_EVERY) % (ncpu - 1); }
static unsigned unmapper_cpu(uint64_t g) { return (reader_cpu(g) + 1) % ncpu; }

/* Pins the calling thread to cpu when it is not there, and checks. */
static void move_self(unsigned cpu, const char *who)
{
    if (sys_kernel_info(KINFO_CPU) != cpu) {
        uint64_t err = sys_thread_pin(HANDLE_NONE, cpu);
        if (err)
            note(F_BROKEN, "a thread pins itself", err, cpu, 0);
    }
    check_cpu(cpu, who);
}

/* One generation: the region goes and comes back as fresh zero pages with
 * g in each page's first word. 0, or -1 when a call failed. */
static int remap(uint64_t g)
{
    int64_t r;
    if ((r = munmap(area, A_PAGES * PAGE))) {
        note(F_BROKEN, "munmap", (uint64_t)-r, g, 0);
        return -1;
    }
    /* The scratch page takes a frame first (the one just freed, from a
     * LIFO free list): the region's new frame is another. */
    if ((r = mmap(scratch, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED)) != (int64_t)scratch) {
        note(F_BROKEN, "mmap of the scratch page", (uint64_t)-r, g, 0);
        return -1;
    }
    volatile uint64_t *s = (volatile uint64_t *)scratch;
    s[0] = s[WORDS / 2] = s[WORDS - 1] = SCRATCH(g);
    if ((r = mmap(area, A_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED)) != (int64_t)area) {
        note(F_BROKEN, "mmap of the region again", (uint64_t)-r, g, 0);
        return -1;
    }
    for (uint64_t p = 0; p < A_PAGES; p++)
        ((volatile uint64_t *)(area + p * PAGE))[0] = GEN(g, p);
    if ((r = munmap(scratch, PAGE))) {
        note(F_BROKEN, "munmap of the scratch page", (uint64_t)-r, g, 0);
        return -1;
    }
    return 0;
}

/* The unmapper: a generation, then gen_pub = g in memory, then a call that
 * wakes the reader if it sleeps and returns once it has checked. */
static void unmapper(uint64_t unused)
{
    (void)unused;
    for (uint64_t g = 1;; g++) {
        move_self(unmapper_cpu(g), "the unmapper");
        bool last = broken || (gen_stop && g > gen_min);   /* g: a last call, no remap */
        if (!last && remap(g))
            last = true;
        if (last)
            gen_final = g;
        publish(&gen_pub, g);
        struct ipc_msg m = { .tag = CMD_GEN, .w = { g } };
        struct ipc_status st = sys_call(reader_ep, &m);
        if (st.status || m.w[0] != g)
            note(F_BROKEN, "the unmapper's call to the reader", st.status, m.w[0], g);
        if (last || st.status)
            break;
    }
    struct ipc_msg f = { .tag = 1 };
    sys_send(fin_ep, &f);
    sys_exit(0);
}

/* The reader: spins on gen_pub for a while (in user mode on its CPU, where
 * the unmapper's shootdowns reach it), then takes the unmapper's call;
 * gen_pub must say g, and the region must hold exactly g. */
static void reader(uint64_t unused)
{
    (void)unused;
    for (uint64_t g = 1;; g++) {
        move_self(reader_cpu(g), "the reader");
        for (unsigned n = 0; n < 20000 && __atomic_load_n(&gen_pub, __ATOMIC_ACQUIRE) < g; n++)
            __builtin_ia32_pause();
        struct ipc_msg m;
        struct ipc_status st = sys_recv(reader_ep, &m);
        uint64_t pub = __atomic_load_n(&gen_pub, __ATOMIC_ACQUIRE);
        if (st.status || m.w[0] != g || pub != g) {
            note(F_BROKEN, "lock step lost", pub, m.w[0], g);
            sys_exit(1);
        }
        if (gen_final != g) {
            for (uint64_t p = 0; p < A_PAGES; p++) {
                volatile uint64_t *a = (volatile uint64_t *)(area + p * PAGE);
                uint64_t w0 = a[0], mid = a[WORDS / 2], end = a[WORDS - 1];
                if (w0 != GEN(g, p) || mid || end)
                    note(F_GEN, "the reader", w0, GEN(g, p), mid | end);
            }
            gen_done = g;
        }
        bool last = gen_final == g;
        struct ipc_msg r = { .tag = 1, .w = { g } };
        sys_reply(&r);
        if (last)
            break;
    }
    sys_exit(0);
}

/* ---- (c) a read after munmap must fault -------------------------------------- */

static volatile uint64_t kc_reading, kc_gone;

static void kill_reader(uint64_t cpu)
{
    check_cpu((unsigned)cpu, "the reader of the page to go");
    volatile uint64_t *z = (volatile uint64_t *)(KILL_VA + KILL_OFF);
    uint64_t seen = 0;
    while (!__atomic_load_n(&kc_gone, __ATOMIC_ACQUIRE)) {
        seen += *z == 0x77;              /* its CPU keeps the entry warm */
        publish(&kc_reading, seen);
    }
    uint64_t v = *z;                     /* must fault: the pager kills us */
    exit(v == 0x77 ? 3 : 4);             /* read the old frame: no fault where one was due */
}

static void __attribute__((noreturn)) nofault_child(unsigned reader_on)
{
    kc_reading = kc_gone = 0;
    if (sys_thread_pin(HANDLE_NONE, 0))
        exit(5);
    if (mmap(KILL_VA, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED) != (int64_t)KILL_VA)
        exit(6);
    *(volatile uint64_t *)(KILL_VA + KILL_OFF) = 0x77;
    int64_t stacks = mmap(0, STACK, PROT_READ | PROT_WRITE, 0);
    if (stacks < 0 || !thread_new(kill_reader, (uint64_t)stacks + STACK - 8, reader_on, reader_on, PRIO))
        exit(7);
    if (wait_ge(&kc_reading, 1000, "wait for the reader"))
        exit(8);
    if (munmap(KILL_VA, PAGE))
        exit(9);
    publish(&kc_gone, 1);
    for (uint64_t t0 = ticks(); ticks() - t0 < WAIT_TICKS;)
        sys_yield();                      /* the reader's fault ends us */
    exit(10);
}

static void kill_round(unsigned n)
{
    int want = (int)PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS);
    for (unsigned k = 0; k < n; k++) {
        unsigned on = ncpu - 1 - k % (ncpu - 1);   /* never CPU 0, where the unmap is asked */
        int64_t pid = fork();
        if (pid == 0)
            nofault_child(on);
        int st = -1;
        if (pid < 0 || wait_pid(pid, &st) != pid) {
            note(F_BROKEN, "fork or wait (c)", (uint64_t)-pid, k, 0);
            return;
        }
        if (st == 3)
            note(F_NOFAULT, "a read after munmap saw the old page", (uint64_t)st, k, on);
        else if (st != want)
            note(F_BROKEN, "(c) child's status", (uint64_t)st, (uint64_t)want, k);
    }
}

/* ---- a round ------------------------------------------------------------------ */

struct round_stats {
    uint64_t forks, gens, kills, cow_checks, ticks;
};

static char park_stack[4096] __attribute__((aligned(16)));

static void round_run(uint64_t forks, uint64_t gens, unsigned kills, struct round_stats *rs)
{
    uint64_t t0 = ticks();
    cow_checks = child_failures = 0;
    gen_pub = gen_done = gen_final = gen_stop = 0;
    gen_min = gens;
    int64_t sh = mmap(0, NP * PAGE, PROT_READ | PROT_WRITE, 0);
    int64_t ar = mmap(0, A_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    int64_t sc = mmap(0, PAGE, PROT_READ | PROT_WRITE, 0);
    int64_t stacks = mmap(0, 4 * STACK, PROT_READ | PROT_WRITE, 0);
    uint64_t err;
    if (sh < 0 || ar < 0 || sc < 0 || stacks < 0) {
        note(F_BROKEN, "mmap", 0, 0, 0);
        return;
    }
    shared = (uint64_t)sh;
    area = (uint64_t)ar;
    scratch = (uint64_t)sc;
    munmap(scratch, PAGE);               /* the unmapper maps it when it needs it */
    if ((err = sys_endpoint_create(&reader_ep)) || (err = sys_endpoint_create(&fin_ep)) ||
        (err = sys_endpoint_create(&park_ep))) {
        note(F_BROKEN, "endpoint_create", err, 0, 0);
        return;
    }
    if (workers_start((uint64_t)stacks, 0, 1))
        return;
    park_thread = thread_new(parked, (uint64_t)park_stack + sizeof(park_stack) - 8, 0, 0, PRIO);
    handle_t u = thread_new(unmapper, (uint64_t)stacks + 3 * STACK - 8, 0, unmapper_cpu(1), PRIO_B);
    handle_t r = thread_new(reader, (uint64_t)stacks + 4 * STACK - 8, 0, reader_cpu(1), PRIO_B);
    if (!u || !r || !park_thread)
        return;
    uint64_t i = 0;
    for (; i < forks && !broken; i++)
        fork_iteration(i);
    gen_stop = 1;                        /* they end after gen_min generations */
    struct ipc_msg m;
    struct ipc_status st = sys_recv(fin_ep, &m);
    if (st.status)
        note(F_BROKEN, "wait for the unmapper", st.status, 0, 0);
    thread_end(u);
    thread_end(r);
    kill_round(kills);
    workers_end();
    thread_end(park_thread);
    endpoint_end(park_ep);
    endpoint_end(reader_ep);
    endpoint_end(fin_ep);
    munmap(shared, NP * PAGE);
    munmap(area, A_PAGES * PAGE);
    munmap((uint64_t)stacks, 4 * STACK);
    *rs = (struct round_stats){ i, gen_done, kills, cow_checks, ticks() - t0 };
}

struct counts {
    uint64_t objects, kernel_free, mappings, pager_free, processes;
};

static void counts_take(struct counts *c)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    *c = (struct counts){ sys_kernel_info(KINFO_OBJECTS), sys_kernel_info(KINFO_FREE_FRAMES),
                          sys_kernel_info(KINFO_MAPPINGS), s.frames_free, s.processes };
}

int main(void)
{
    ncpu = (unsigned)sys_kernel_info(KINFO_CPUS);
    if (ncpu < 2)
        return utest_fail(NAME, "needs two CPUs or more; it has", ncpu, 2);
    if (sys_thread_pin(HANDLE_NONE, ncpu) != IPC_EINVAL)
        return utest_fail(NAME, "a pin to a CPU past the last was not refused", ncpu, 0);
    if (sys_thread_pin(HANDLE_NONE, 0) || sys_kernel_info(KINFO_CPU) != 0)
        return utest_fail(NAME, "the main thread cannot be pinned to CPU 0",
                          sys_kernel_info(KINFO_CPU), 0);
    uint64_t forks = getenv_number("t_smp.forks", 200), gens = getenv_number("t_smp.gens", 1000);
    struct counts c0, c1, c2;
    struct round_stats warm, full;
    counts_take(&c0);
    round_run(8, 64, 2, &warm);
    counts_take(&c1);

    uint64_t warm_fails = total_fails();
    round_run(forks, gens, 8, &full);
    counts_take(&c2);
    printf("t_smp: %u CPUs; warm-up: %lu forks, %lu generations, %lu kills in %lu ticks; "
           "measured: %lu forks (%lu pages checked after copy-on-write in the parent), %lu "
           "generations, %lu kills in %lu ticks\n", ncpu, warm.forks, warm.gens, warm.kills,
           warm.ticks, full.forks, full.cow_checks, full.gens, full.kills, full.ticks);
    printf("t_smp: the warm-up changed objects %ld, kernel frames free %ld, mappings %ld, pager "
           "frames free %ld; the measured round %ld, %ld, %ld, %ld\n",
           (int64_t)(c1.objects - c0.objects), (int64_t)(c1.kernel_free - c0.kernel_free),
           (int64_t)(c1.mappings - c0.mappings), (int64_t)(c1.pager_free - c0.pager_free),
           (int64_t)(c2.objects - c1.objects), (int64_t)(c2.kernel_free - c1.kernel_free),
           (int64_t)(c2.mappings - c1.mappings), (int64_t)(c2.pager_free - c1.pager_free));
    uint64_t n = total_fails();
    if (n) {
        for (int k = 0; k < F_KINDS; k++)
            if (fails[k])
                printf("t_smp: %lu times: %s\n", fails[k], kind_names[k]);
        printf("TEST %s fail %lu failures (%lu in the warm-up; %lu children failed); the first: "
               "%s (0x%lx, 0x%lx, 0x%lx)\n", NAME, n, warm_fails, child_failures,
               first_what ? first_what : "?", first_a, first_b, first_c);
        return 1;
    }
    if (full.forks != forks || full.gens < gens || full.cow_checks != forks * NP)
        return utest_fail(NAME, "the measured round did less than asked (forks, generations)",
                          full.forks, full.gens);
    if (c2.objects != c1.objects || c2.kernel_free != c1.kernel_free ||
        c2.mappings != c1.mappings || c2.pager_free != c1.pager_free ||
        c2.processes != c1.processes) {
        printf("TEST %s fail the measured round changed kernel objects %ld, kernel frames free "
               "%ld, mapping nodes %ld, pager frames free %ld, processes %ld\n", NAME,
               (int64_t)(c2.objects - c1.objects), (int64_t)(c2.kernel_free - c1.kernel_free),
               (int64_t)(c2.mappings - c1.mappings), (int64_t)(c2.pager_free - c1.pager_free),
               (int64_t)(c2.processes - c1.processes));
        return 1;
    }
    return utest_pass(NAME);
}
