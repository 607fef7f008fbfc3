/*
 * Fork: the child gets a copy of the region list and shares every page
 * of the parent; the parent's writable mappings turn read-only, so that
 * the next write from either side faults and copies (fault.c). The child
 * maps nothing yet: each page is mapped at its first touch.
 */
#include "pager.h"

struct fork_ctx {
    struct pmem *from, *to;
    int failed;
    struct page_run run;              /* parent pages to write-protect */
    const struct region *last;        /* the region of the last one (runs of pages share one) */
};

/* The child's copy of one leaf table of the parent's: every page shared
 * (one more reference), nothing mapped yet. */
static void share_table(void *ctx, uint64_t base, uint64_t *from)
{
    struct fork_ctx *c = ctx;
    uint64_t *to = c->failed ? 0 : vpt_table(&c->to->vpt, base, &lp_vpt_alloc);
    if (!to) {
        c->failed = 1;
        return;
    }
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = from[i];
        if (!(e & VPT_PRESENT)) {     /* (a dense table never pays for the skip) */
            if (!(i & 7) && vpt_group_empty(&from[i]))
                i += 7;
            continue;
        }
        to[i] = e & (VPT_ADDR | VPT_PRESENT | VPT_MODULE);     /* mapped on first touch */
        if (!(e & VPT_MODULE))
            frames_ref_phys(&lp_frames, e & VPT_ADDR);
        if (e & VPT_WRITE) {
            uint64_t va = base + i * LP_PAGE;
            const struct region *r = c->last;
            if (!r || va < r->start || va >= r->end)
                r = c->last = region_find(c->from->regions, va);
            page_run_add(&c->run, va, mem_rights(r ? r->prot : PROT_READ, 0));
            from[i] = e & ~VPT_WRITE;
        }
    }
}

uint64_t mem_fork(struct lp_process *parent, struct lp_process *child)
{
    struct pmem *from = mem_of(parent), *to = mem_of(child);
    int ok;
    to->regions = region_copy(from->regions, &lp_region_alloc, &ok);
    if (!ok)
        return PG_ENOMEM;
    uint64_t err = lp_commit(child, region_pages(to->regions));
    if (err)
        return err;                   /* (libpager's exit hook frees the copy) */
    struct fork_ctx ctx = { from, to, 0, { parent->space, 0, 0, 0 }, 0 };
    vpt_each_table(&from->vpt, 0, PROCESS_STACK_TOP, share_table, &ctx);
    page_run_flush(&ctx.run);
    return ctx.failed ? PG_ENOMEM : PG_OK;
}
