/* PG_STATS: the three groups, read as numbers that make sense. */
#include "client.h"
#include "conformance.h"
#include "../utest/utest.h"

/* (utest_pager_stats ends the program when there are none: every leak
 * check would compare 0 with 0.) */
struct pager_stats stats(void)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    return s;
}

/* The pager's counts make sense, and a pager without commit says 0. */
static struct outcome stats_sane(void)
{
    struct pager_stats s = stats();
    if (s.frames_free > s.frames_total || s.frames_total == 0)
        return fail("frames_free above frames_total (free, total)", (int64_t)s.frames_free,
                    (int64_t)s.frames_total);
    if (s.processes < 1)
        return fail("no live process (we are one)", (int64_t)s.processes, 1);
    if (!(features & PG_FEATURE_COMMIT) && s.committed)
        return fail("committed pages without commit", (int64_t)s.committed, 0);
    return pass();
}

static struct outcome bad_stats_group(void)
{
    int64_t r;
    if ((r = pager_call(PG_STATS, 3, 0, 0, 0, 0)) != -(int64_t)PG_EINVAL)
        return fail("PG_STATS group 3", r, -(int64_t)PG_EINVAL);
    if ((r = pager_call(PG_STATS, 0xffff, 0, 0, 0, 0)) != -(int64_t)PG_EINVAL)
        return fail("PG_STATS group 0xffff", r, -(int64_t)PG_EINVAL);
    return pass();
}

const struct conf_test stats_tests[] = {
    { "stats_sane", 0, stats_sane },
    { "bad_stats_group", 0, bad_stats_group },
    { 0, 0, 0 },
};
