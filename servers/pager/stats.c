/* The pager's statistics. */
#include "pager.h"

struct pager_stats_counters stats;

void stats_print(void)
{
    printf("PAGER page_faults=%lu minor_faults=%lu cow_faults_handled=%lu copies_performed=%lu "
           "zero_fills=%lu frames_free=%u frames_total=%u\n",
           stats.page_faults, stats.minor_faults, stats.cow_faults_handled,
           stats.copies_performed, stats.zero_fills, frames.free_count, frames.total);
}

void stats_reply(uint64_t group, struct ipc_msg *reply)
{
    uint64_t v[3] = { 0, 0, 0 };
    switch (group) {
    case 0: v[0] = stats.page_faults; v[1] = stats.minor_faults; v[2] = stats.cow_faults_handled; break;
    case 1: v[0] = stats.copies_performed; v[1] = stats.zero_fills; v[2] = frames.free_count; break;
    case 2: v[0] = frames.total; v[1] = proc_live_count(); v[2] = committed; break;
    case PG_STATS_PRINT: stats_print(); break;
    default:
        reply->w[0] = PG_EINVAL;
        return;
    }
    reply->w[0] = PG_OK;
    reply->w[1] = v[0];
    reply->w[2] = v[1];
    reply->w[3] = v[2];
}
