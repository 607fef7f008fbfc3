/*
 * The pager conformance suite: what every pager owes its processes under
 * ipc/pager.h, checked through the protocol alone (no root-info page, no
 * pager internals), so the same runner judges the default pager, the eager
 * one and pagers stacked under another. Each test file exports a table;
 * main.c runs the tests whose features the pager declares (PG_INFO).
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include "child.h"
#include <ipc/fault.h>
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

#define PAGE 4096ull
#define RW (PROT_READ | PROT_WRITE)
#define STACK_BOTTOM (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)

/* A test's verdict. why 0: passed. skip: features it found missing at
 * run time (a test whose needs depend on more than its table entry). The
 * two numbers go in the fail line, e.g. what came and what was wanted. */
struct outcome {
    const char *why;
    int64_t a, b;
    uint32_t skip;
};

static inline struct outcome pass(void) { return (struct outcome){ 0, 0, 0, 0 }; }
static inline struct outcome fail(const char *why, int64_t a, int64_t b)
{
    return (struct outcome){ why, a, b, 0 };
}
static inline struct outcome skip(uint32_t needs) { return (struct outcome){ 0, 0, 0, needs }; }

struct conf_test {
    const char *name;               /* 0 ends a table */
    uint32_t needs;                 /* PG_FEATURE_* the pager must declare */
    struct outcome (*run)(void);
};

/* A test program of the default pager's suite (servers/tests), run as it
 * is: it prints its own TEST lines and exits 0 when all passed. */
struct conf_program {
    const char *name, *module;      /* name 0 ends the table */
    uint32_t needs;
};

extern const struct conf_test image_test;
extern const struct conf_test memory_tests[], stats_tests[], request_tests[], exhaust_tests[],
    process_tests[], fault_tests[], fork_tests[], module_tests[];
extern const struct conf_program fork_programs[];
struct outcome run_program(const char *module);    /* programs.c */

extern uint32_t features;           /* what the pager declared (main.c) */
struct pager_stats stats(void);     /* stats.c; ends the run when the pager gives none */

/* report.c */
void feature_list(uint32_t mask, char *buf, unsigned size);   /* "fork lazy", "none" */
void report_start(void);            /* reads conformance.xfail */
void report(const char *name, struct outcome o);
int report_end(void);               /* prints the summary; returns the failures */

/* process.c: the child (child.h) told to show `what`; its pid or -PG_E*.
 * With keep, *keep is the endpoint it asked on (the caller drops it). */
int64_t spawn_child(enum child_behaviour what, handle_t *keep);
/* The same, then its exit status, or -1 with *err set (-PG_E* of spawn
 * or wait). */
int spawn_wait(enum child_behaviour what, int64_t *err);

#endif
