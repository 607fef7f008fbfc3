/*
 * The eager pager's frames: every frame of lp_memory(), at lp_window(phys).
 * The free ones are runs of adjacent frames, no two touching; a request
 * takes the top of the first run long enough. There are never more runs
 * than ranges plus runs handed out.
 */
#include "eager.h"

#define MAX_RUNS (ROOT_MAX_RANGES + LP_MAX_PROCS * MAX_REGIONS)
static struct run { uint8_t *base; uint64_t pages; } runs[MAX_RUNS];
static unsigned run_count;
static uint64_t free_frames;

void frames_start(void)
{
    const struct lp_range *r;
    for (unsigned i = 0, n = lp_memory(&r); i < n; i++)
        frame_free(lp_window(r[i].base), r[i].size / PAGE);
}

uint64_t frames_free_count(void) { return free_frames; }

uint8_t *frame_alloc(uint64_t n)
{
    for (struct run *r = runs; r < runs + run_count; r++)
        if (r->pages >= n) {
            r->pages -= n;
            uint8_t *f = r->base + r->pages * PAGE;
            if (!r->pages)
                *r = runs[--run_count];
            free_frames -= n;
            return memset(f, 0, n * PAGE);    /* never hand out another process's data */
        }
    return 0;
}

void frame_free(uint8_t *f, uint64_t n)
{
    free_frames += n;
    for (unsigned i = run_count; i-- > 0;) {      /* take in the runs it touches */
        struct run *r = &runs[i];
        if (r->base + r->pages * PAGE == f || f + n * PAGE == r->base) {
            f = r->base < f ? r->base : f;
            n += r->pages;
            *r = runs[--run_count];               /* the last, looked at already */
        }
    }
    runs[run_count++] = (struct run){ f, n };
}
