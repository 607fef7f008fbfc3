/*
 * ktest: the kernel's test suite as a root task. It owns all free memory
 * (the root window), builds children in their own address spaces out of
 * its own code, acts as their pager, and checks what the kernel does.
 * Each test prints "TEST <name> pass" or "TEST <name> fail <reason>".
 */
#ifndef KTEST_H
#define KTEST_H

#include <ipc/fault.h>
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

/* ---- frames from the root window ---- */
void frames_setup(const struct root_info *ri);
/* A zeroed frame: its address in ktest's space (window) or 0. */
uint64_t frame_new(void);

/* ---- children ---- */
#define CHILD_STACK_TOP  0x0000700000000000ull
#define CHILD_STACK_PAGES 4
#define CHILD_PRIORITY   10
#define REPORT_LABEL     0x5e9047ull

/* What a child finds at its start (pointer in rdi), on its stack page. */
struct child_args {
    uint64_t (*fn)(struct child_args *);
    handle_t report;          /* endpoint: send the result there */
    handle_t ep[4];           /* endpoints the test granted */
    uint64_t value[4];        /* test parameters */
};

struct child {
    handle_t space, thread;
    struct child_args *args;  /* ktest's view of the child's args */
};

/* A new space holding ktest's text and rodata (not its data: children use
 * only their stack) and a stack; a stopped thread running fn(args) then
 * exit. `report` and each ep[] are granted into the child (0 = none);
 * faults go to `pager` with badge `badge` (HANDLE_NONE: no pager). */
int child_spawn(struct child *c, uint64_t (*fn)(struct child_args *), handle_t report,
                handle_t pager, uint64_t badge, unsigned priority);
/* Entry of every child thread: a->fn(a), then exit with its result. */
void child_start(struct child_args *a) __attribute__((noreturn));

/* Grants ktest's endpoint h into the child; returns its number there. */
handle_t child_grant(struct child *c, handle_t h, uint32_t rights, uint64_t badge);
void child_destroy(struct child *c);

/* Sends a result to ktest from a child (non-blocking for ktest). */
void child_report(struct child_args *a, uint64_t w0, uint64_t w1);

/* Waits on ep for a report (label REPORT_LABEL); faults arriving meanwhile
 * go to on_fault, which fills the reply (and returns 1 to keep serving,
 * 0 to stop after replying). Returns 1 with the report words, or 0 when
 * on_fault stopped the wait. */
typedef int (*fault_fn)(struct ipc_msg *fault, uint64_t badge, struct ipc_msg *reply);
int serve(handle_t ep, fault_fn on_fault, uint64_t *w0, uint64_t *w1);

/* Yields until `thread` is in THREAD_* `state` (~0: dead); 0 if it never
 * gets there. The thread must have ktest's priority to run meanwhile. */
int wait_until(handle_t thread, uint64_t state);

/* ---- verdicts ---- */
int test_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int test_pass(const char *name);

/* The test groups. Each returns the number of failed tests. */
int tests_ipc(void);
int tests_sched(void);
int tests_fault(void);
int tests_errors(void);
int tests_life(void);
int tests_mapdb(void);
int tests_lifetimes(void);
int test_window_all_frames(const struct root_info *ri);

#endif
