/* The eager pager's fault policy and its table for libpager. */
#include "eager.h"

/* Every page was mapped when it came into being, so a fault is the
 * program's mistake: in one of its regions, the access was not allowed;
 * anywhere else there is nothing at all. Either way the task is killed. */
static int fault(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    (void)reply;
    uint64_t reason = FAULT_REASON_EXCEPTION;
    if (tag_label(m->tag) == FAULT_PAGE) {
        lp_stats.page_faults++;
        reason = region_at(p, m->w[0]) ? FAULT_REASON_PROTECTION : FAULT_REASON_INVALID_ADDRESS;
    }
    static const char *const why[] = { "", "invalid address", "protection", "", "exception" };
    printf("eagerpager: pid %lu: vector %lu at 0x%lx (error 0x%lx, rip 0x%lx): killed, %s\n",
           p->pid, m->w[3], m->w[0], m->w[1], m->w[2], why[reason]);
    return lp_kill(p, reason);
}

static int start(void)
{
    frames_start();
    return 0;
}

static const struct lp_policy eager = {
    .name = "eagerpager",
    .own_frames = 1,
    .start = start,
    .load = mem_load,
    .fault = fault,
    .mmap = mem_mmap,
    .mprotect = mem_mprotect,
    .munmap = mem_munmap,
    .exit = mem_exit,
    .frames_free = frames_free_count,
};

int main(uint64_t arg) { return lp_main(&eager, arg); }
