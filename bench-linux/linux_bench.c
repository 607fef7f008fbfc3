/*
 * The Linux side of the benchmark: runs as /init (PID 1) in an initramfs
 * under Debian's own kernel, in the same QEMU as the microkernel, and
 * measures the closest Linux equivalents of the microkernel's operations
 * with the same method (ipc/timing.h: cpuid+rdtsc ... rdtscp+cpuid).
 *
 * Output, one line per result (scripts/linux-baseline.sh parses it):
 *   LINUX <name> min=<n> median=<n> avg=<n> max=<n> unit=<u> iters=<n>
 * then "LINUX done", and the machine powers off.
 *
 * Kernel command line (read from /proc/cmdline):
 *   bench.unit=insns|ticks|cycles   unit printed on each line (default ticks)
 *   bench.fork_mib=N                dirty memory of fork_exit (default 1: fork_exit_1mib)
 *   bench.dz_mib=N                  demand_zero's pages spread over N MiB (demand_zero_fault_Nmib)
 *   bench.ipc_blocked=N bench.ipc_runnable=M
 *                                   threads blocked (on a pipe nobody writes) or only
 *                                   yielding beside the pipe ping-pong (pipe_pingpong_blockedN...)
 *   bench.fork_rewrite=1 bench.child_pct=P bench.churn_mib=N
 *                                   fork variants (servers/bench/memory.c says what each does)
 *   bench.warmup=N bench.iters=N    default 100 and 1000; fork_exit_1mib
 *                                   uses a fifth of each
 *   bench.only=NAME[,NAME...]       only the benchmarks whose names start with
 *                                   those words (as ours), e.g. pipe_pingpong_cross_cpu
 *
 * pipe_pingpong_cross_cpu (ours: ipc_cross_cpu) needs two CPUs: with one it
 * prints "LINUX note pipe_pingpong_cross_cpu skipped: one CPU" and no figure.
 *
 * Every figure has the minimum of an empty timed region subtracted
 * (printed first as empty_region); the switch benchmarks report half a
 * round trip (one switch), pipe_pingpong_cross_cpu the whole round trip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ipc/timing.h>

#define PAGE 4096u

static unsigned warmup = 100, iters = 1000, fork_mib = 1, dz_mib = 0;
static unsigned fork_rewrite, child_pct, churn_mib;   /* fork variants, as ours */
static unsigned ipc_blocked, ipc_runnable;            /* the crowd beside the pipe, as ours */
static char unit[16] = "ticks";
static char only[64];                                 /* bench.only: "" runs every benchmark */
static int rdtscp;
static uint64_t overhead;
static uint64_t *samples;      /* iters entries */

/* ---- output ------------------------------------------------------------ */

/* One write per line, so kernel messages cannot land inside a line. */
static void out(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(1, p, (size_t)n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (int)w;
    }
}

static void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    for (;;)            /* PID 1 must not exit: that would panic the kernel */
        pause();
}

static void die(const char *what)
{
    out("LINUX error %s: %s\n", what, strerror(errno));
    power_off();
}

/* ---- statistics -------------------------------------------------------- */

static void print_stats(const char *name, uint64_t *s, unsigned n)
{
    struct timing_stats st;
    timing_summarize(s, n, &st);
    out("LINUX %s min=%llu median=%llu avg=%llu max=%llu unit=%s iters=%u\n", name,
        (unsigned long long)st.min, (unsigned long long)st.median,
        (unsigned long long)st.avg, (unsigned long long)st.max, unit, n);
}

/* Subtracts the empty region, divides by the switches per sample, prints. */
static void report(const char *name, uint64_t *s, unsigned n, unsigned divide)
{
    for (unsigned i = 0; i < n; i++) {
        s[i] = s[i] > overhead ? s[i] - overhead : 0;
        s[i] /= divide;
    }
    print_stats(name, s, n);
}

/* ---- setup ------------------------------------------------------------- */

static void setup_console(void)
{
    /* With no /dev/console in the initramfs the kernel hands init no
     * descriptors: mount devtmpfs and open the console ourselves. */
    if (fcntl(1, F_GETFD) >= 0)
        return;
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0)
        fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
    if (fd < 0)
        power_off();    /* nowhere to report: the script sees "done" missing */
    for (int i = 0; i < 3; i++)
        if (fd != i)
            dup2(fd, i);
    if (fd > 2)
        close(fd);
}

static unsigned parse_uint(const char *s, unsigned dflt)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    return (end != s && v > 0 && v <= 1000000) ? (unsigned)v : dflt;
}

static void read_cmdline(void)
{
    char buf[2048];
    mkdir("/proc", 0555);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0 && errno != EBUSY)
        return;
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    for (char *tok = strtok(buf, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        if (!strncmp(tok, "bench.unit=", 11)) {
            snprintf(unit, sizeof unit, "%s", tok + 11);
        } else if (!strncmp(tok, "bench.warmup=", 13)) {
            warmup = parse_uint(tok + 13, warmup);
        } else if (!strncmp(tok, "bench.iters=", 12)) {
            iters = parse_uint(tok + 12, iters);
        } else if (!strncmp(tok, "bench.ipc_blocked=", 18)) {
            ipc_blocked = parse_uint(tok + 18, 0);
        } else if (!strncmp(tok, "bench.ipc_runnable=", 19)) {
            ipc_runnable = parse_uint(tok + 19, 0);
        } else if (!strncmp(tok, "bench.fork_rewrite=", 19)) {
            fork_rewrite = parse_uint(tok + 19, 0) != 0;
        } else if (!strncmp(tok, "bench.child_pct=", 16)) {
            child_pct = parse_uint(tok + 16, 0);
            child_pct = child_pct > 100 ? 100 : child_pct;
        } else if (!strncmp(tok, "bench.churn_mib=", 16)) {
            churn_mib = parse_uint(tok + 16, 0);
        } else if (!strncmp(tok, "bench.dz_mib=", 13)) {
            dz_mib = parse_uint(tok + 13, dz_mib);
        } else if (!strncmp(tok, "bench.only=", 11)) {
            snprintf(only, sizeof only, "%s", tok + 11);
        } else if (!strncmp(tok, "bench.fork_mib=", 15)) {
            fork_mib = !strcmp(tok + 15, "0") ? 0 : parse_uint(tok + 15, fork_mib);
        }
    }
}

/* Whether bench.only chooses `name`: some word of it is the start of the
 * name (every benchmark when it is empty), as in servers/bench/main.c. */
static int chosen(const char *name)
{
    if (!only[0])
        return 1;
    for (const char *w = only; *w;) {
        size_t k = strcspn(w, ",");
        if (k && !strncmp(name, w, k))
            return 1;
        w += w[k] ? k + 1 : k;
    }
    return 0;
}

static int pin_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static void pin_cpu0(void)
{
    if (pin_cpu(0) != 0)
        die("sched_setaffinity");
}

static void *map_pages(size_t pages)
{
    void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    /* Debian's kernel has THP "always": keep 4 KiB pages, one fault each. */
    madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
    return p;
}

/* ---- benchmarks -------------------------------------------------------- */

static void empty_region(void)
{
    for (unsigned i = 0; i < warmup + iters; i++) {
        uint64_t t0 = timing_begin();
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    print_stats("empty_region", samples, iters);  /* sorted: samples[0] is the min */
    overhead = samples[0];
}

static void bench_getppid(void)
{
    for (unsigned i = 0; i < warmup + iters; i++) {
        uint64_t t0 = timing_begin();
        syscall(SYS_getppid);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    report("getppid", samples, iters, 1);
}

/* sched_yield: the partner counts its turns, so a yield that came straight
 * back without switching is seen, left out of the figures and counted. */
static volatile uint64_t yield_turns;
static volatile int yield_stop;

static void *yield_partner(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&yield_stop, __ATOMIC_ACQUIRE)) {
        __atomic_add_fetch(&yield_turns, 1, __ATOMIC_RELEASE);
        sched_yield();
    }
    return NULL;
}

static void bench_sched_yield(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, yield_partner, NULL) != 0)
        die("pthread_create");
    while (__atomic_load_n(&yield_turns, __ATOMIC_ACQUIRE) == 0)
        sched_yield();
    unsigned done = 0, attempts = 0, limit = 20 * (warmup + iters);
    uint64_t non_switching = 0;
    while (done < warmup + iters && attempts++ < limit) {
        uint64_t c0 = __atomic_load_n(&yield_turns, __ATOMIC_ACQUIRE);
        uint64_t t0 = timing_begin();
        sched_yield();
        uint64_t t1 = timing_end(rdtscp);
        uint64_t c1 = __atomic_load_n(&yield_turns, __ATOMIC_ACQUIRE);
        if (c1 - c0 == 1) {     /* exactly: we -> partner -> we */
            if (done >= warmup)
                samples[done - warmup] = t1 - t0;
            done++;
        } else {
            non_switching += c1 == c0 ? 1 : c1 - c0 - 1;
        }
    }
    __atomic_store_n(&yield_stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    if (done < warmup + iters) {
        out("LINUX error sched_yield: only %u of %u yields switched\n", done, warmup + iters);
        return;
    }
    report("sched_yield", samples, iters, 2);
    if (non_switching)
        out("LINUX note sched_yield non_switching=%llu (left out, measured again)\n",
            (unsigned long long)non_switching);
}

/* futex hand-off: token 1 = partner's turn, 0 = ours, 2 = partner stops. */
static int token;

static long futex(int *addr, int op, int val)
{
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
    (void)arg;
    for (;;) {
        int v;
        while ((v = __atomic_load_n(&token, __ATOMIC_ACQUIRE)) == 0)
            futex(&token, FUTEX_WAIT_PRIVATE, 0);
        if (v == 2)
            return NULL;
        __atomic_store_n(&token, 0, __ATOMIC_RELEASE);
        futex(&token, FUTEX_WAKE_PRIVATE, 1);
    }
}

static void bench_futex(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, futex_partner, NULL) != 0)
        die("pthread_create");
    for (unsigned i = 0; i < warmup + iters; i++) {
        uint64_t t0 = timing_begin();
        __atomic_store_n(&token, 1, __ATOMIC_RELEASE);
        futex(&token, FUTEX_WAKE_PRIVATE, 1);
        while (__atomic_load_n(&token, __ATOMIC_ACQUIRE) == 1)
            futex(&token, FUTEX_WAIT_PRIVATE, 1);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    __atomic_store_n(&token, 2, __ATOMIC_RELEASE);
    futex(&token, FUTEX_WAKE_PRIVATE, 1);
    pthread_join(t, NULL);
    report("futex_handoff", samples, iters, 2);
}

/* The crowd: threads blocked reading a pipe nobody writes to (until it is
 * closed), and threads that only yield (until told to stop). */
#define CROWD_MAX 1024
static pthread_t crowd[CROWD_MAX];
static unsigned crowd_size;
static int crowd_pipe[2];
static volatile int crowd_stop_flag;

static void *crowd_blocked(void *unused)
{
    (void)unused;
    char c;
    while (read(crowd_pipe[0], &c, 1) > 0)
        ;
    return NULL;
}

static void *crowd_runnable(void *unused)
{
    (void)unused;
    while (!crowd_stop_flag)
        sched_yield();
    return NULL;
}

static void crowd_start(void)
{
    if (!(ipc_blocked + ipc_runnable))
        return;
    if (pipe(crowd_pipe))
        die("pipe");
    for (crowd_size = 0; crowd_size < ipc_blocked + ipc_runnable && crowd_size < CROWD_MAX;
         crowd_size++)
        if (pthread_create(&crowd[crowd_size], NULL,
                           crowd_size < ipc_blocked ? crowd_blocked : crowd_runnable, NULL))
            die("pthread_create");
}

static void crowd_end(void)
{
    if (!crowd_size)
        return;
    crowd_stop_flag = 1;
    close(crowd_pipe[1]);
    for (unsigned i = 0; i < crowd_size; i++)
        pthread_join(crowd[i], NULL);
    close(crowd_pipe[0]);
    crowd_size = 0;
}

static void bench_pipe(void)
{
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char c;
        close(to_child[1]);
        close(to_parent[0]);
        while (read(to_child[0], &c, 1) == 1)
            if (write(to_parent[1], &c, 1) != 1)
                break;
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    crowd_start();                    /* (after the fork: the child has none) */
    char c = 'x';
    for (unsigned i = 0; i < warmup + iters; i++) {
        uint64_t t0 = timing_begin();
        if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
            die("pipe ping-pong");
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    close(to_child[1]);
    close(to_parent[0]);
    waitpid(pid, NULL, 0);
    crowd_end();
    char name[64];
    int at = snprintf(name, sizeof name, "pipe_pingpong");
    if (ipc_blocked)
        at += snprintf(name + at, sizeof name - (size_t)at, "_blocked%u", ipc_blocked);
    if (ipc_runnable)
        snprintf(name + at, sizeof name - (size_t)at, "_runnable%u", ipc_runnable);
    report(name, samples, iters, 2);
}

/* The pipe ping-pong between two processes on two CPUs: this one pinned to
 * CPU 0 (pin_cpu0), the child to CPU 1; one byte there and back per round
 * trip, timed as pipe_pingpong is, and reported whole (not per switch).
 * Proof, outside the timed region: every byte came back as sent (each
 * round sends another), and the child, asked with '?' before and after
 * the timed round trips, answers with the CPU it runs on ('0' + CPU). */
static void bench_pipe_cross_cpu(void)
{
    const char *name = "pipe_pingpong_cross_cpu";
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 2) {
        out("LINUX note %s skipped: one CPU\n", name);
        return;
    }
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char c;
        close(to_child[1]);
        close(to_parent[0]);
        if (pin_cpu(1) != 0)
            _exit(1);
        while (read(to_child[0], &c, 1) == 1) {
            if (c == '?')
                c = (char)('0' + sched_getcpu());
            if (write(to_parent[1], &c, 1) != 1)
                break;
        }
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    unsigned client_cpu0 = 0, server_cpu1 = 0, answered = 0;
    char c = '?';
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
        die("pipe_pingpong_cross_cpu: the child did not answer");
    server_cpu1 += c == '1';
    client_cpu0 += sched_getcpu() == 0;
    for (unsigned i = 0; i < warmup + iters; i++) {
        char sent = (char)('a' + i % 26);
        c = sent;
        uint64_t t0 = timing_begin();
        if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
            die("pipe ping-pong across CPUs");
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
        answered += c == sent;
    }
    client_cpu0 += sched_getcpu() == 0;
    c = '?';
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
        die("pipe_pingpong_cross_cpu: the child did not answer");
    server_cpu1 += c == '1';
    close(to_child[1]);
    close(to_parent[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    if (client_cpu0 < 2 || server_cpu1 < 2 || answered < warmup + iters ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        out("LINUX error %s: client_cpu0=%u server_cpu1=%u (wanted 2 each) answered=%u "
            "wanted=%u child status %d: no figure\n", name, client_cpu0, server_cpu1, answered,
            warmup + iters, status);
        return;
    }
    out("LINUX note %s client_cpu0=%u server_cpu1=%u answered=%u wanted=%u\n", name,
        client_cpu0, server_cpu1, answered, warmup + iters);
    report(name, samples, iters, 1);
}

/* First write to each page of a fresh anonymous mapping. */
static void bench_demand_zero(void)
{
    size_t pages = warmup + iters, region = dz_mib ? (size_t)dz_mib * 256 : pages;
    size_t stride = region / pages ? region / pages : 1;
    if (region < pages * stride)
        region = pages * stride;
    volatile char *buf = map_pages(region);
    for (unsigned i = 0; i < pages; i++) {
        volatile char *p = buf + (size_t)i * stride * PAGE;
        uint64_t t0 = timing_begin();
        *p = 1;
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    munmap((void *)buf, region * PAGE);
    char name[40] = "demand_zero_fault";
    if (dz_mib)
        snprintf(name, sizeof name, "demand_zero_fault_%umib", dz_mib);
    report(name, samples, iters, 1);
}

/* First write to each page after fork: the page is shared copy-on-write
 * with the child, which keeps the mapping alive (blocked on a pipe) until
 * the parent has written every page. */
static void bench_cow(void)
{
    size_t pages = warmup + iters;
    volatile char *buf = map_pages(pages);
    memset((void *)buf, 0x5a, pages * PAGE);
    int hold[2];
    if (pipe(hold))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char c;
        close(hold[1]);
        while (read(hold[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(hold[0]);
    for (unsigned i = 0; i < pages; i++) {
        volatile char *p = buf + (size_t)i * PAGE;
        uint64_t t0 = timing_begin();
        *p = 2;
        uint64_t t1 = timing_end(rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    close(hold[1]);
    waitpid(pid, NULL, 0);
    munmap((void *)buf, pages * PAGE);
    report("cow_fault", samples, iters, 1);
}

/* fork + child _exit(0) + waitpid of a process holding 1 MiB of dirty
 * private memory (besides its small static binary, stack and samples). */
static void bench_fork_exit(void)
{
    unsigned w = warmup / 5 ? warmup / 5 : 1, n = iters / 5 ? iters / 5 : 1;
    size_t bytes = (size_t)fork_mib << 20, pages = bytes / PAGE;
    size_t child_pages = pages * child_pct / 100;
    if (churn_mib) {
        size_t churn = (size_t)churn_mib << 20;
        char *c = map_pages(churn / PAGE);
        memset(c, 0x44, churn);
        munmap(c, churn);
    }
    char *mem = bytes ? map_pages(pages) : 0;
    if (bytes)
        memset(mem, 0x33, bytes);
    for (unsigned i = 0; i < w + n; i++) {
        for (size_t k = 0; fork_rewrite && k < pages; k++)
            ((volatile char *)mem)[k * PAGE] = (char)i;
        uint64_t t0 = timing_begin();
        pid_t pid = fork();
        if (pid == 0) {
            for (size_t k = 0; k < child_pages; k++)
                ((volatile char *)mem)[k * PAGE] = (char)k;
            _exit(0);
        }
        if (pid < 0)
            die("fork");
        if (waitpid(pid, NULL, 0) != pid)
            die("waitpid");
        uint64_t t1 = timing_end(rdtscp);
        if (i >= w)
            samples[i - w] = t1 - t0;
    }
    if (bytes)
        munmap(mem, bytes);
    char name[64];
    int at = snprintf(name, sizeof name, "fork_exit_%umib", fork_mib);
    if (fork_rewrite)
        at += snprintf(name + at, sizeof name - (size_t)at, "_rewrite");
    if (child_pct)
        at += snprintf(name + at, sizeof name - (size_t)at, "_child%upct", child_pct);
    if (churn_mib)
        snprintf(name + at, sizeof name - (size_t)at, "_after%umib", churn_mib);
    report(name, samples, n, 1);
}

int main(void)
{
    setup_console();
    read_cmdline();
    pin_cpu0();
    rdtscp = timing_has_rdtscp();
    samples = calloc(iters, sizeof *samples);
    if (!samples)
        die("calloc");
    out("bench: start unit=%s warmup=%u iters=%u rdtscp=%d\n", unit, warmup, iters, rdtscp);

    /* fork_exit_1mib before any thread exists: once a process has had
     * threads, glibc's fork does more (and keeps the thread stacks mapped),
     * about 50k instructions more per round under icount. */
    empty_region();
    if (chosen("getppid"))
        bench_getppid();
    if (chosen("demand_zero_fault"))
        bench_demand_zero();
    if (chosen("cow_fault"))
        bench_cow();
    if (chosen("fork_exit"))
        bench_fork_exit();
    if (chosen("pipe_pingpong"))
        bench_pipe();
    if (chosen("sched_yield"))
        bench_sched_yield();
    if (chosen("futex_handoff"))
        bench_futex();
    /* Last: it only needs a second CPU (the others all run on CPU 0). */
    if (chosen("pipe_pingpong_cross_cpu"))
        bench_pipe_cross_cpu();

    out("LINUX done\n");
    power_off();
}
