/*
 * quotapager: the example pager of docs/writing-a-pager.md, on libpager.
 * Lazy: a page comes at its first touch, from the program's image or
 * zero-filled. Each process may hold at most quota.pages resident pages
 * (the command line; 0 or absent: no limit): the touch that would pass it
 * kills the process, with a message that says so. No fork.
 */
#include <libpager/tables.h>

struct proc {
    struct region *regions;       /* what the process may touch, and how */
    struct vpt pages;             /* which frame backs each touched page */
    uint64_t resident;
};
static struct proc procs[LP_MAX_PROCS];   /* at each process's libpager slot */
static uint64_t quota, quota_kills;

static struct proc *of(struct lp_process *p) { return &procs[p->slot]; }

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
    uint64_t *e = vpt_slot(&of(p)->pages, va, &lp_vpt_alloc);
    if (!e)
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    if (*e) {                         /* ours already, unmapped by mprotect */
        lp_stats.minor_faults++;
        lp_map_reply(reply, *e & VPT_ADDR, va, lp_page_rights(r->prot));
        return 1;
    }
    if (quota && of(p)->resident >= quota) {
        printf("quotapager: pid %lu touched 0x%lx with all %lu pages of its quota resident; "
               "killed\n", p->pid, addr, quota);
        quota_kills++;
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    }
    uint64_t frame = region_page_new(r, va);    /* from the image, or zero */
    if (!frame)
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    *e = frame | VPT_PRESENT;
    of(p)->resident++;
    lp_map_reply(reply, frame, va, lp_page_rights(r->prot));
    return 1;
}

static void unmap_pages(struct lp_process *p, uint64_t va, uint64_t pages)
{
    for (uint64_t n; pages && p->space; va += n * LP_PAGE, pages -= n)
        sys_unmap(p->space, va, n = pages < MAP_MAX_PAGES ? pages : MAP_MAX_PAGES);
}

static void drop_page(void *ctx, uint64_t va, uint64_t *e)
{
    (void)va;
    lp_frame_free(*e & VPT_ADDR);
    ((struct proc *)ctx)->resident--;
    *e = 0;
}

/* Unmaps and forgets the pages of [start, end). */
static void drop(struct lp_process *p, uint64_t start, uint64_t end)
{
    unmap_pages(p, start, (end - start) / LP_PAGE);
    vpt_each(&of(p)->pages, start, end, drop_page, of(p));
    vpt_prune(&of(p)->pages, start, end, &lp_vpt_alloc);   /* tables left empty go */
}

static uint64_t add(struct lp_process *p, const struct region *r)
{
    return region_insert(&of(p)->regions, r, &lp_region_alloc) ? PG_ENOMEM : PG_OK;
}

/* One region per segment of the image: its pages come from the file. */
static uint64_t load(struct lp_process *p, const struct lp_image *image)
{
    for (unsigned i = 0; i < image->count; i++) {
        const struct lp_segment *s = &image->segments[i];
        struct region r = { .start = s->start, .end = s->end, .prot = s->prot,
                            .kind = REGION_IMAGE,
                            .image = { image->module->phys, s->vaddr, s->offset, s->filesz } };
        if (add(p, &r))
            return PG_ENOMEM;
    }
    return PG_OK;
}

static uint64_t unmap(struct lp_process *p, uint64_t addr, uint64_t pages)
{
    uint64_t end = addr + pages * LP_PAGE;
    if (region_remove(&of(p)->regions, addr, end, &lp_region_alloc))
        return PG_ENOMEM;
    drop(p, addr, end);
    return PG_OK;
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
    int err = region_protect(&of(p)->regions, addr, addr + pages * LP_PAGE, prot, &lp_region_alloc);
    if (err)
        return err == -2 ? PG_EINVAL : PG_ENOMEM;   /* -2: a hole in the range */
    unmap_pages(p, addr, pages);
    return PG_OK;
}

static void quit(struct lp_process *p)
{
    drop(p, 0, PROCESS_STACK_TOP);    /* (the space is gone: only frames to free) */
    vpt_destroy(&of(p)->pages, &lp_vpt_alloc);
    region_free_all(&of(p)->regions, &lp_region_alloc);
}

static void print_stats(void) { printf("QUOTA pages=%lu kills=%lu\n", quota, quota_kills); }

static int start(void)
{
    quota = lp_env_number("quota.pages", 0);
    printf("quotapager: at most %lu resident pages per process (0: no limit)\n", quota);
    return 0;
}

static const struct lp_policy quotapager = {
    .name = "quotapager", .features = PG_FEATURE_LAZY, .start = start, .load = load,
    .fault = fault, .mmap = map, .mprotect = protect, .munmap = unmap, .exit = quit,
    .print_stats = print_stats,
};

int main(uint64_t arg) { return lp_main(&quotapager, arg); }
