/*
 * quotapager, the example pager of docs/writing-a-pager.md: lazy (a page
 * comes at its first touch, from the image or zero-filled), no fork. A
 * process may hold quota.pages (0: no limit) resident pages and table
 * nodes together: a touch past it kills, with a message; an mmap fails.
 */
#include <libpager/tables.h>

struct proc {
    struct region *regions;       /* what the process may touch, and how */
    struct vpt pages;             /* which frame backs each touched page */
    struct table_allocs alloc;    /* the nodes of both, counted */
    uint64_t resident;
};
static struct proc procs[LP_MAX_PROCS];   /* at each process's libpager slot */
static uint64_t quota, quota_kills;

static struct proc *of(struct lp_process *p) { return &procs[p->slot]; }
static int over_quota(struct proc *q) { return quota && q->resident + q->alloc.held >= quota; }

static int fault(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    uint64_t addr = m->w[0], va = addr & ~(LP_PAGE - 1), err = m->w[1];
    if (tag_label(m->tag) != FAULT_PAGE)
        return lp_kill(p, FAULT_REASON_EXCEPTION);
    struct region *r = region_find(of(p)->regions, addr);
    if (!r)
        return lp_kill(p, FAULT_REASON_INVALID_ADDRESS);
    if (!region_allows(r, err))
        return lp_kill(p, FAULT_REASON_PROTECTION);
    lp_stats.page_faults++;
    uint64_t *e = vpt_lookup(&of(p)->pages, va);
    if (e && *e) {                    /* ours already, unmapped by mprotect */
        lp_stats.minor_faults++;
        lp_map_reply(reply, *e & VPT_ADDR, va, lp_page_rights(r->prot));
        return 1;
    }
    if (over_quota(of(p))) {
        printf("quotapager: pid %lu touched 0x%lx with %lu pages and %lu table nodes of its "
               "quota of %lu; killed\n", p->pid, addr, of(p)->resident, of(p)->alloc.held, quota);
        quota_kills++;
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    }
    uint64_t frame;
    if (!(e = vpt_slot(&of(p)->pages, va, &of(p)->alloc.pages)) || !(frame = region_page_new(r, va)))
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    *e = frame | VPT_PRESENT;
    of(p)->resident++;
    lp_map_reply(reply, frame, va, lp_page_rights(r->prot));
    return 1;
}

/* A walk over pages: each goes into the run to unmap; with drop, its frame too. */
struct walk { struct proc *proc; struct page_run run; int drop; };

static void unmap_page(void *ctx, uint64_t va, uint64_t *e)
{
    struct walk *w = ctx;
    page_run_add(&w->run, va, 0);
    if (w->drop) {
        lp_frame_free(*e & VPT_ADDR);
        w->proc->resident--;
        *e = 0;
    }
}

static void unmap_pages(struct lp_process *p, uint64_t start, uint64_t end, int drop)
{
    struct walk w = { of(p), { p->space, 0, 0, 0 }, drop };
    vpt_each(&of(p)->pages, start, end, unmap_page, &w);
    page_run_flush(&w.run);
    if (drop)
        vpt_prune(&of(p)->pages, start, end, &of(p)->alloc.pages);   /* empty tables go */
}

static uint64_t add(struct lp_process *p, const struct region *r)
{
    return over_quota(of(p))                                              ? PG_ELIMIT
           : region_insert(&of(p)->regions, r, &of(p)->alloc.regions) ? PG_ENOMEM : PG_OK;
}

/* One region per segment of the image: its pages come from the file. */
static uint64_t load(struct lp_process *p, const struct lp_image *image)
{
    table_allocs_init(&of(p)->alloc);
    uint64_t err = PG_OK;
    for (unsigned i = 0; i < image->count && !err; i++) {
        struct region r = region_of_segment(image, i);
        err = add(p, &r);
    }
    return err;
}

static uint64_t unmap(struct lp_process *p, uint64_t addr, uint64_t pages)
{
    uint64_t end = addr + pages * LP_PAGE;
    if (region_remove(&of(p)->regions, addr, end, &of(p)->alloc.regions))
        return PG_ENOMEM;
    return unmap_pages(p, addr, end, 1), PG_OK;
}

static uint64_t map(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot, int fixed,
                    uint64_t *out)
{
    if (fixed ? unmap(p, addr, pages)
              : !(addr = region_find_gap(of(p)->regions, MMAP_BASE, LP_USER_END, pages * LP_PAGE)))
        return PG_ENOMEM;
    struct region r = { .start = addr, .end = addr + pages * LP_PAGE, .prot = prot,
                        .kind = REGION_ANON };
    *out = addr;
    return add(p, &r);
}

/* New rights: the pages stay ours but leave the page tables; the next
 * touch maps each again with what its region allows now. */
static uint64_t protect(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot)
{
    uint64_t end = addr + pages * LP_PAGE;
    int err = region_protect(&of(p)->regions, addr, end, prot, &of(p)->alloc.regions);
    if (err)
        return err == -2 ? PG_EINVAL : PG_ENOMEM;   /* -2: a hole in the range */
    unmap_pages(p, addr, end, 0);
    return PG_OK;
}

static void quit(struct lp_process *p)       /* (its space is gone: only frames to free) */
{
    unmap_pages(p, 0, PROCESS_STACK_TOP, 1);
    vpt_destroy(&of(p)->pages, &of(p)->alloc.pages);
    region_free_all(&of(p)->regions, &of(p)->alloc.regions);
}

static void print_stats(void) { printf("QUOTA pages=%lu kills=%lu\n", quota, quota_kills); }
static int start(void)
{
    quota = lp_env_number("quota.pages", 0);
    printf("quotapager: at most %lu pages per process (0: no limit)\n", quota);
    return 0;
}

static const struct lp_policy quotapager = {
    .name = "quotapager", .features = PG_FEATURE_LAZY, .start = start, .load = load,
    .fault = fault, .mmap = map, .mprotect = protect, .munmap = unmap, .exit = quit,
    .print_stats = print_stats,
};

int main(uint64_t arg) { return lp_main(&quotapager, arg); }
