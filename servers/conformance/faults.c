/* Faults a pager cannot resolve kill the process, and its status says why
 * (PG_STATUS_KILLED(FAULT_REASON_*)). Each child faults on purpose. */
#include "conformance.h"

static struct outcome killed_as(enum child_behaviour what, unsigned reason)
{
    int64_t err;
    int status = spawn_wait(what, &err);
    if (status < 0)
        return fail("spawn or wait failed", err, 0);
    int want = (int)PG_STATUS_KILLED(reason);
    return status == want ? pass() : fail("exit status", status, want);
}

/* The stack's guard page: outside every region. */
static struct outcome invalid_address(void)
{
    return killed_as(CHILD_WILD, FAULT_REASON_INVALID_ADDRESS);
}

/* Its own read-only data. */
static struct outcome write_readonly(void)
{
    return killed_as(CHILD_RO, FAULT_REASON_PROTECTION);
}

/* A call into a page mapped without PROT_EXEC. */
static struct outcome fetch_nx(void) { return killed_as(CHILD_NX, FAULT_REASON_PROTECTION); }

/* A page it made read-only with mprotect (after it read back its value). */
static struct outcome mprotect_write(void)
{
    return killed_as(CHILD_MPROTECT, FAULT_REASON_PROTECTION);
}

/* A page it unmapped (after the page next to it still read right). */
static struct outcome munmap_touch(void)
{
    return killed_as(CHILD_MUNMAP, FAULT_REASON_INVALID_ADDRESS);
}

const struct conf_test fault_tests[] = {
    { "fault_invalid_address", 0, invalid_address },
    { "fault_write_readonly", 0, write_readonly },
    { "fault_fetch_nx", 0, fetch_nx },
    { "mprotect_readonly_write_kills", 0, mprotect_write },
    { "munmap_touch_kills", 0, munmap_touch },
    { 0, 0, 0 },
};
