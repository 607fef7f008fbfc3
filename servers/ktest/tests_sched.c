/* Scheduling: a spinning thread must not starve an equal-priority one. */
#include "ktest.h"

static uint64_t spinner(struct child_args *a)
{
    (void)a;
    for (volatile uint64_t i = 0;; i++)
        ;
    return 0;
}

/* Yields a few times (each must come back), then works and reports. */
static uint64_t worker(struct child_args *a)
{
    uint64_t yields_ok = 0;
    for (int i = 0; i < 3; i++)
        yields_ok += sys_yield() == IPC_OK;
    volatile uint64_t sum = 0;
    for (uint64_t i = 0; i < a->value[0]; i++)
        sum += i;
    child_report(a, sum, yields_ok);
    return 0;
}

int tests_sched(void)
{
    const char *name = "preemption_no_starvation";
    handle_t report;
    struct child spin, work;
    if (sys_endpoint_create(&report))
        return test_fail(name, "cannot create an endpoint");
    if (child_spawn(&spin, spinner, 0, 0, 0, CHILD_PRIORITY) ||
        child_spawn(&work, worker, report, 0, 0, CHILD_PRIORITY))
        return test_fail(name, "cannot spawn");
    work.args->value[0] = 200000;
    /* Both on one CPU (ours), where only preemption lets the worker run
     * beside the spinner (on several CPUs they would be placed apart). */
    uint64_t cpu = sys_kernel_info(KINFO_CPU);
    if (sys_thread_pin(spin.thread, cpu) || sys_thread_pin(work.thread, cpu))
        return test_fail(name, "cannot pin the two to CPU %lu", cpu);
    uint64_t ticks0 = sys_kernel_info(KINFO_TICKS);
    /* The spinner runs first; only the timer can get the worker going. */
    sys_thread_start(spin.thread);
    sys_thread_start(work.thread);
    uint64_t sum = 0, yields = 0;
    int got = serve(report, 0, &sum, &yields);
    uint64_t ticks = sys_kernel_info(KINFO_TICKS) - ticks0;
    child_destroy(&spin);
    child_destroy(&work);
    sys_endpoint_destroy(report);
    sys_handle_close(report);
    uint64_t expect = 200000ull * 199999ull / 2;
    if (!got || sum != expect)
        return test_fail(name, "worker did not finish (sum %lu)", sum);
    if (yields != 3)
        return test_fail(name, "yield returned an error");
    if (ticks == 0)
        return test_fail(name, "worker finished without a timer tick: spinner never ran?");
    printf("ktest: worker finished after %lu timer ticks beside a spinner\n", ticks);
    return test_pass(name);
}
