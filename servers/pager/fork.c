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
};

static void share_page(void *ctx, uint64_t va, uint64_t *e)
{
    struct fork_ctx *c = ctx;
    if (c->failed || !(*e & VPT_PRESENT))
        return;
    uint64_t *ce = vpt_slot(&c->to->vpt, va, &lp_vpt_alloc);
    if (!ce) {
        c->failed = 1;
        return;
    }
    *ce = *e & (VPT_ADDR | VPT_PRESENT | VPT_MODULE);     /* mapped on first touch */
    if (!(*e & VPT_MODULE))
        frames_ref(&lp_frames, (uint32_t)frames_index(&lp_frames, *e & VPT_ADDR));
    if (*e & VPT_WRITE) {
        const struct region *r = region_find(c->from->regions, va);
        page_run_add(&c->run, va, mem_rights(r ? r->prot : PROT_READ, 0));
        *e &= ~VPT_WRITE;
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
    struct fork_ctx ctx = { from, to, 0, { parent->space, 0, 0, 0 } };
    vpt_each(&from->vpt, 0, PROCESS_STACK_TOP, share_page, &ctx);
    page_run_flush(&ctx.run);
    return ctx.failed ? PG_ENOMEM : PG_OK;
}
