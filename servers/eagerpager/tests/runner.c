/*
 * eager_tests: the eager pager's tests, started as init. Memory tests run
 * here; process tests spawn the eager_child_* modules. Nothing forks (this
 * pager refuses fork). One "TEST name pass|fail ..." line per test; exits
 * with the number of failures.
 */
#include <ipc/fault.h>
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

#define PAGE 4096
#define RW (PROT_READ | PROT_WRITE)

static volatile int image_data = 42, image_bss;

/* The pager's statistics; without them the checks below would compare 0
 * with 0, so the runner fails at once instead. */
static struct pager_stats stats(void)
{
    struct pager_stats s = { 0 };
    int err = pager_stats(&s);
    if (err) {
        printf("TEST eager_stats fail the pager gave no statistics (%d)\n", err);
        exit(99);
    }
    return s;
}

/* Image and stack were loaded at spawn: right contents, and not one fault. */
static const char *eager_image(void)
{
    struct pager_stats before = stats();
    volatile uint8_t *deep = (volatile uint8_t *)(PROCESS_STACK_TOP - PROCESS_STACK_SIZE);
    if (image_data != 42 || image_bss != 0)
        return "data or bss wrong";
    if (*deep != 0)
        return "deepest stack page not zero";
    image_bss = *deep = 1;
    if (before.page_faults != 0 || stats().page_faults != 0)
        return "a page fault happened";
    return 0;
}

/* mmap backs every page at once, zeroed; munmap gives every frame back. */
static const char *mmap_zero(void)
{
    struct pager_stats before = stats();
    int64_t a = mmap(0, 16 * PAGE, RW, 0);
    if (a < 0)
        return "mmap failed";
    struct pager_stats mid = stats();
    if (mid.zero_fills - before.zero_fills != 16 || before.frames_free - mid.frames_free < 16)
        return "16 pages not backed at mmap time";
    for (unsigned i = 0; i < 16; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(a + i * PAGE + 8 * i);
        if (*p != 0)
            return "page not zero";
        *p = i + 1;
    }
    for (unsigned i = 0; i < 16; i++)
        if (*(volatile uint64_t *)(a + i * PAGE + 8 * i) != i + 1)
            return "value did not stick";
    if (stats().page_faults != before.page_faults)
        return "a page fault happened";
    if (munmap((uint64_t)a, 16 * PAGE) || stats().frames_free != before.frames_free)
        return "frames not back after munmap";
    return 0;
}

/* Read-only to read-write; PROT_NONE and back keeps the contents. */
static const char *mprotect_rw(void)
{
    int64_t a = mmap(0, 2 * PAGE, PROT_READ, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    if (a < 0 || *p != 0)
        return "mmap failed or page not zero";
    if (mprotect((uint64_t)a, 2 * PAGE, RW))
        return "mprotect to read-write failed";
    p[0] = 123;
    p[512] = 456;
    if (mprotect((uint64_t)a, PAGE, PROT_NONE) || mprotect((uint64_t)a, PAGE, PROT_READ))
        return "mprotect to none and back failed";
    if (p[0] != 123 || p[512] != 456)
        return "values lost";
    if (mprotect((uint64_t)a, 3 * PAGE, PROT_READ) != -PG_EINVAL)
        return "mprotect over a hole accepted";
    munmap((uint64_t)a, 2 * PAGE);
    return 0;
}

/* A partial munmap frees its frame and leaves the rest; MAP_FIXED fills
 * the hole, or replaces a page, with a fresh zero page. */
static const char *munmap_remap(void)
{
    int64_t a = mmap(0, 4 * PAGE, RW, 0);
    if (a < 0)
        return "mmap failed";
    volatile uint64_t *p = (volatile uint64_t *)a;
    for (unsigned i = 0; i < 4; i++)
        p[i * 512] = 7;
    uint64_t before = stats().frames_free;
    if (munmap((uint64_t)a + PAGE, PAGE) || stats().frames_free <= before)
        return "munmap freed no frame";
    if (mmap((uint64_t)a + PAGE, PAGE, RW, MAP_FIXED) != a + PAGE ||
        mmap((uint64_t)a + 2 * PAGE, PAGE, RW, MAP_FIXED) != a + 2 * PAGE)
        return "MAP_FIXED failed";
    if (p[0] != 7 || p[512] != 0 || p[1024] != 0 || p[1536] != 7)
        return "wrong contents after munmap and MAP_FIXED";
    if (munmap((uint64_t)a, 4 * PAGE) || munmap((uint64_t)a, 4 * PAGE))
        return "munmap (twice) failed";
    return 0;
}

/* A MAP_FIXED mapping above the others is never handed out again. */
static const char *fixed_then_any(void)
{
    int64_t a = mmap(0, PAGE, RW, 0);
    if (a < 0 || mmap((uint64_t)a + 2 * PAGE, PAGE, RW, MAP_FIXED) != a + 2 * PAGE)
        return "mmap failed";
    *(volatile uint64_t *)(a + 2 * PAGE) = 5;
    int64_t b = mmap(0, 4 * PAGE, RW, 0);
    if (b < 0 || (b <= a + 2 * PAGE && b + 4 * PAGE > a + 2 * PAGE))
        return "MAP_FIXED range handed out again";
    if (*(volatile uint64_t *)(a + 2 * PAGE) != 5)
        return "MAP_FIXED page lost";
    munmap((uint64_t)a, 3 * PAGE);
    munmap((uint64_t)b, 4 * PAGE);
    return 0;
}

/* Bad requests get the documented error; fork is not offered. */
static const char *bad_requests(void)
{
    struct { const char *what; int64_t got, want; } c[] = {
        { "fork", fork(), -PG_ENOSYS },
        { "zero length", mmap(0, 0, PROT_READ, 0), -PG_EINVAL },
        { "unknown prot", mmap(0, PAGE, 0x40, 0), -PG_EINVAL },
        { "unknown flag", mmap(0, PAGE, PROT_READ, 0x4000), -PG_EINVAL },
        { "fixed unaligned", mmap(0x400010, PAGE, PROT_READ, MAP_FIXED), -PG_EINVAL },
        { "fixed in the kernel half", mmap(0xffff800000000000ull, PAGE, PROT_READ, MAP_FIXED),
          -PG_EINVAL },
        { "munmap unaligned", munmap(0x400001, PAGE), -PG_EINVAL },
        { "huge", mmap(0, 1ull << 41, PROT_READ, 0), -PG_EINVAL },
        { "more than memory", mmap(0, 1ull << 39, PROT_READ, 0), -PG_ENOMEM },
        { "wait without children", wait_pid(0, 0), -PG_ECHILD },
        { "kill a stranger", kill_child(12345), -PG_ECHILD },
        { "spawn a missing module", spawn("no_such.elf"), -PG_ENOENT },
        { "getenv of a missing key", getenv_cmdline("no_such_key", 0, 0), -PG_ENOENT },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (c[i].got != c[i].want) {
            printf("eager_tests: %s: got %ld, expected %ld\n", c[i].what, c[i].got, c[i].want);
            return c[i].what;
        }
    return 0;
}

/* mmap 8 MiB chunks until the frames run out: ENOMEM, nothing breaks, and
 * munmap gives every frame back. */
static const char *exhaust(void)
{
    enum { CHUNK = 8 << 20, MAX = 4096 };
    static int64_t chunk[MAX];
    uint64_t before = stats().frames_free;
    unsigned n = 0;
    int64_t a = 0;
    while (n < MAX && (a = mmap(0, CHUNK, RW, 0)) > 0)
        chunk[n++] = a;
    printf("eager_tests: %u chunks of 8 MiB before mmap said %ld, %lu frames left\n", n, -a,
           stats().frames_free);
    for (unsigned i = 0; i < n; i++)
        munmap((uint64_t)chunk[i], CHUNK);
    if (n == 0 || n == MAX || a != -PG_ENOMEM)
        return "mmap did not run out with ENOMEM";
    return stats().frames_free == before ? 0 : "frames not all back";
}

/* Spawns module and waits: its status must be want, and every frame it
 * had back. */
static const char *spawn_expect(const char *module, int want)
{
    uint64_t before = stats().frames_free;
    int64_t pid = spawn(module);
    int status = -1;
    if (pid < 0)
        return "spawn failed";
    if (wait_pid(pid, &status) != pid || status != want) {
        printf("eager_tests: %s: status %d, expected %d\n", module, status, want);
        return "wrong exit status";
    }
    return stats().frames_free == before ? 0 : "frames not all back";
}

/* The command line through the pager: init=eager_tests.elf. */
static const char *getenv_init(void)
{
    char v[24];
    if (getenv_cmdline("init", v, sizeof(v)) || strcmp(v, "eager_tests.elf"))
        return "init= not found";
    return 0;
}

static const char *spawn_exit(void) { return spawn_expect("eager_child_exit.elf", 7); }

static const char *fault_invalid(void)
{
    return spawn_expect("eager_child_wild.elf",
                        (int)PG_STATUS_KILLED(FAULT_REASON_INVALID_ADDRESS));
}

static const char *fault_write_readonly(void)
{
    return spawn_expect("eager_child_ro.elf", (int)PG_STATUS_KILLED(FAULT_REASON_PROTECTION));
}

static const char *fault_fetch_nx(void)
{
    return spawn_expect("eager_child_nx.elf", (int)PG_STATUS_KILLED(FAULT_REASON_PROTECTION));
}

/* kill ends a child; wait then reports status 0x80. */
static const char *kill_blocked(void)
{
    uint64_t before = stats().frames_free;
    int64_t pid = spawn("eager_child_block.elf");
    int status = -1;
    if (pid < 0 || kill_child(pid) != 0)
        return "spawn or kill failed";
    if (wait_pid(pid, &status) != pid || status != (int)PG_STATUS_KILLED(FAULT_REASON_NONE))
        return "wrong exit status";
    return stats().frames_free == before ? 0 : "frames not all back";
}

/* spawn_with: the child's second thread (made with its SELF_SPACE_HANDLE)
 * sends on the endpoint we gave it; then we kill the child. */
static const char *gift_and_thread(void)
{
    uint64_t before = stats().frames_free;
    handle_t ep;
    struct ipc_msg m = { 0 };
    if (sys_endpoint_create(&ep))
        return "no endpoint";
    int64_t pid = spawn_with("eager_child_thread.elf", ep);
    struct ipc_status st = { IPC_EINVAL, 0 };
    if (pid > 0)
        st = sys_recv(ep, &m);
    int status = -1;
    if (pid > 0 && (kill_child(pid) || wait_pid(pid, &status) != pid))
        status = -1;
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    if (pid < 0 || st.status || m.w[0] != 42)
        return "no message from the child's thread";
    if (status != (int)PG_STATUS_KILLED(FAULT_REASON_NONE))
        return "wrong exit status";
    return stats().frames_free == before ? 0 : "frames not all back";
}

/* wait for any child, once a zombie already (no saved reply needed). */
static const char *wait_zombie(void)
{
    int64_t pid = spawn("eager_child_exit.elf");
    int status = -1;
    if (pid < 0)
        return "spawn failed";
    while (stats().processes > 1)
        sys_yield();                  /* until the child has exited */
    if (wait_pid(0, &status) != pid || status != 7)
        return "zombie not reported";
    return wait_pid(0, 0) == -PG_ECHILD ? 0 : "a second child reported";
}

static const struct { const char *name; const char *(*fn)(void); } tests[] = {
    { "eager_image_and_stack", eager_image },
    { "eager_mmap_zero", mmap_zero },
    { "eager_mprotect", mprotect_rw },
    { "eager_munmap_remap", munmap_remap },
    { "eager_mmap_fixed_then_any", fixed_then_any },
    { "eager_bad_requests", bad_requests },
    { "eager_exhaust_mmap", exhaust },
    { "eager_getenv", getenv_init },
    { "eager_spawn_exit", spawn_exit },
    { "eager_fault_invalid_address", fault_invalid },
    { "eager_fault_write_readonly", fault_write_readonly },
    { "eager_fault_fetch_nx", fault_fetch_nx },
    { "eager_kill", kill_blocked },
    { "eager_wait_zombie", wait_zombie },
    { "eager_gift_and_thread", gift_and_thread },
};

/* One line per test; returns 1 on a failure. */
static int report(const char *name, const char *why)
{
    if (why)
        printf("TEST %s fail %s\n", name, why);
    else
        printf("TEST %s pass\n", name);
    return why != 0;
}

int main(void)
{
    uint64_t start = stats().frames_free;
    int failed = 0;
    for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        failed += report(tests[i].name, tests[i].fn());
    /* Everything above gave back what it took, children included. */
    struct pager_stats s = stats();
    failed += report("eager_no_leak", s.frames_free != start ? "frames differ"
                                      : s.processes != 1     ? "processes left" : 0);
    printf("eager_tests: %d failed; %lu frames free of %lu\n", failed, s.frames_free,
           s.frames_total);
    return failed;
}
