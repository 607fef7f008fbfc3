/* Statistics (the PAGER line, PG_STATS) and what the pager offers (PG_INFO). */
#include "internal.h"

struct lp_counters lp_stats;

static uint64_t frames_free(void)
{
    return lp_policy->frames_free ? lp_policy->frames_free() : lp_frames.free_count;
}

static uint64_t frames_total(void)
{
    return lp_policy->own_frames ? lp_memory_frames() : lp_frames.total;
}

uint32_t lp_features(void)
{
    return (lp_policy->features & (PG_FEATURE_COMMIT | PG_FEATURE_LAZY)) |
           (lp_policy->fork ? PG_FEATURE_FORK : 0) | (lp_policy->module ? PG_FEATURE_MODULE : 0) |
           (lp_stacked ? PG_FEATURE_STACKED : 0);
}

void lp_stats_print(void)
{
    printf("PAGER page_faults=%lu minor_faults=%lu cow_faults_handled=%lu copies_performed=%lu "
           "zero_fills=%lu frames_free=%lu frames_total=%lu\n",
           lp_stats.page_faults, lp_stats.minor_faults, lp_stats.cow_faults, lp_stats.copies,
           lp_stats.zero_fills, frames_free(), frames_total());
    if (lp_policy->print_stats)
        lp_policy->print_stats();
}

void lp_stats_reply(uint64_t group, struct ipc_msg *reply)
{
    uint64_t v[3] = { 0, 0, 0 };
    switch (group) {
    case 0: v[0] = lp_stats.page_faults; v[1] = lp_stats.minor_faults; v[2] = lp_stats.cow_faults; break;
    case 1: v[0] = lp_stats.copies; v[1] = lp_stats.zero_fills; v[2] = frames_free(); break;
    case 2: v[0] = frames_total(); v[1] = lp_live_count(); v[2] = lp_committed; break;
    case PG_STATS_PRINT: lp_stats_print(); break;
    default:
        reply->w[0] = PG_EINVAL;
        return;
    }
    reply->w[0] = PG_OK;
    reply->w[1] = v[0];
    reply->w[2] = v[1];
    reply->w[3] = v[2];
}
