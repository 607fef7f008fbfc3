/*
 * eager_tests: what the eager pager does that the protocol leaves open,
 * started as init: every page is backed the moment it comes into being
 * (at spawn, at mmap: zero_fills counted then, never a page fault after)
 * and every fault kills. What any pager owes (contents, errors, spawn,
 * wait, kill, fault statuses) is the conformance suite's
 * (test/qemu/cases/conformance_eagerpager.sh). Nothing forks. One
 * "TEST name pass|fail ..." line per test; exits with the number of
 * failures.
 */
#include <ipc/fault.h>
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>

#define PAGE 4096
#define RW (PROT_READ | PROT_WRITE)

static volatile int image_bss;

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

/* Our image and stack were backed at spawn: touching them takes no fault. */
static const char *eager_image(void)
{
    struct pager_stats before = stats();
    volatile uint8_t *deep = (volatile uint8_t *)(PROCESS_STACK_TOP - PROCESS_STACK_SIZE);
    image_bss = *deep = 1;
    if (before.page_faults != 0 || stats().page_faults != 0)
        return "a page fault happened";
    return 0;
}

/* mmap backs every page at once (16 zero fills, 16 frames taken before a
 * touch); touching them takes no fault; munmap gives every frame back. */
static const char *mmap_backed(void)
{
    struct pager_stats before = stats();
    int64_t a = mmap(0, 16 * PAGE, RW, 0);
    if (a < 0)
        return "mmap failed";
    struct pager_stats mid = stats();
    if (mid.zero_fills - before.zero_fills != 16 || before.frames_free - mid.frames_free < 16)
        return "16 pages not backed at mmap time";
    for (unsigned i = 0; i < 16; i++)
        *(volatile uint64_t *)(a + i * PAGE) = i + 1;
    if (stats().page_faults != before.page_faults)
        return "a page fault happened";
    if (munmap((uint64_t)a, 16 * PAGE) || stats().frames_free != before.frames_free)
        return "frames not back after munmap";
    return 0;
}

/* A child's image and whole stack are backed at spawn: its 1 MiB stack
 * is counted in zero_fills though it touches a page of it, and the child
 * itself sees no page fault (it exits 7 then). */
static const char *spawn_backed(void)
{
    struct pager_stats before = stats();
    int64_t pid = spawn("eager_child_exit.elf");
    int status = -1;
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return "spawn or wait failed";
    struct pager_stats after = stats();
    if (status != 7) {
        printf("eager_tests: eager_child_exit.elf: status %d, expected 7\n", status);
        return "the child saw a fault or a wrong image";
    }
    if (after.zero_fills - before.zero_fills < PROCESS_STACK_SIZE / PAGE)
        return "the child's stack was not backed at spawn";
    return after.frames_free == before.frames_free ? 0 : "frames not all back";
}

/* Nothing is ever mapped later, so each fault is one fault message and a
 * kill, whatever the reason (the status is the conformance suite's). */
static const char *every_fault_kills(void)
{
    static const char *const children[] = {
        "eager_child_wild.elf", "eager_child_ro.elf", "eager_child_nx.elf",
    };
    for (unsigned i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
        uint64_t faults = stats().page_faults;
        int64_t pid = spawn(children[i]);
        int status = -1;
        if (pid < 0 || wait_pid(pid, &status) != pid)
            return "spawn or wait failed";
        if (status < 0x80 || stats().page_faults != faults + 1) {
            printf("eager_tests: %s: status %d, %lu faults\n", children[i], status,
                   stats().page_faults - faults);
            return "not one fault and a kill";
        }
    }
    return 0;
}

static const struct { const char *name; const char *(*fn)(void); } tests[] = {
    { "eager_image_and_stack", eager_image },
    { "eager_mmap_backed", mmap_backed },
    { "eager_spawn_backed", spawn_backed },
    { "eager_every_fault_kills", every_fault_kills },
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
