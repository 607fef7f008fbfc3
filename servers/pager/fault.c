/*
 * Page faults, decided from the kernel's fault message (address and the
 * error code's present / write / fetch bits):
 *   outside every region                    -> killed: invalid address
 *   write to read-only, fetch from non-exec -> killed: protection violation
 *   not present, no page yet                -> demand-zero, or the image page
 *   write to a shared page (refcount > 1)   -> copy the 4 KiB, map it writable
 *   write to a page only this process has   -> map it writable, no copy
 *   read of a page we have but not mapped   -> map it (after fork, lazily)
 * Any other exception kills the process.
 */
#include "pager.h"

/* Whether the module's own page can back va as it is (read-only): only
 * when the whole page lies inside the file part of the segment. */
static int image_page_whole(const struct region *r, uint64_t va)
{
    const struct image_source *s = &r->image;
    return va >= s->seg_vaddr && va + 4096 <= s->seg_vaddr + s->seg_filesz;
}

static uint64_t image_page_phys(const struct region *r, uint64_t va)
{
    const struct image_source *s = &r->image;
    return s->module_phys + s->seg_offset + (va - s->seg_vaddr);
}

static void map_reply(struct ipc_msg *reply, uint64_t *entry, uint64_t va, uint32_t rights)
{
    *entry = (*entry & ~(VPT_MAPPED | VPT_WRITE)) | VPT_MAPPED |
             (rights & PAGE_WRITE ? VPT_WRITE : 0);
    lp_map_reply(reply, *entry & VPT_ADDR, va, rights);
}

/* Write to a page we already have: copy it unless it is ours alone. */
static int write_existing(struct lp_process *p, const struct region *r, uint64_t *e, uint64_t va,
                          struct ipc_msg *reply)
{
    uint64_t phys = *e & VPT_ADDR;
    lp_stats.cow_faults++;
    if (!(*e & VPT_MODULE)) {
        uint32_t i = (uint32_t)frames_index(&lp_frames, phys);
        if (lp_frames.refs[i] == 1) {
            lp_stats.minor_faults++;
            map_reply(reply, e, va, mem_rights(r->prot, 1));
            return 1;
        }
    }
    uint64_t copy = lp_frame_new();
    if (!copy)
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    lp_page_copy(lp_window(copy), lp_window(phys));
    lp_stats.copies++;
    if (!(*e & VPT_MODULE))
        frames_unref(&lp_frames, (uint32_t)frames_index(&lp_frames, phys));
    *e = copy | VPT_PRESENT;
    map_reply(reply, e, va, mem_rights(r->prot, 1));
    return 1;
}

/* First touch of a page: zero-fill, or the image's bytes. */
static int first_touch(struct lp_process *p, const struct region *r, uint64_t *e, uint64_t va,
                       int write, struct ipc_msg *reply)
{
    if (r->kind == REGION_IMAGE && !write && image_page_whole(r, va)) {
        lp_stats.minor_faults++;                    /* shared with the module, no copy */
        *e = image_page_phys(r, va) | VPT_PRESENT | VPT_MODULE;
        map_reply(reply, e, va, mem_rights(r->prot, 0));
        return 1;
    }
    uint64_t phys = region_page_new(r, va);     /* zero, or a private copy of the image */
    if (!phys)
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    *e = phys | VPT_PRESENT;
    map_reply(reply, e, va, mem_rights(r->prot, 1));
    return 1;
}

int fault_handle(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    /* m and reply may be the same buffer: read everything before writing. */
    if (tag_label(m->tag) != FAULT_PAGE)
        return lp_kill(p, FAULT_REASON_EXCEPTION);
    uint64_t addr = m->w[0], err = m->w[1], va = addr & ~4095ull;
    int write = (err & FAULT_ERR_WRITE) != 0;
    /* Faults come in runs over one region: try the last one first. */
    struct pmem *pm = mem_of(p);
    struct region *r = pm->last_fault_region;
    if (!r || addr < r->start || addr >= r->end)
        r = pm->last_fault_region = region_find(pm->regions, addr);
    if (!r)
        return lp_kill(p, FAULT_REASON_INVALID_ADDRESS);
    if (!region_allows(r, err))
        return lp_kill(p, FAULT_REASON_PROTECTION);
    lp_stats.page_faults++;
    uint64_t *e = vpt_lookup(&pm->vpt, va);
    if (!e && !(e = vpt_slot(&pm->vpt, va, &lp_vpt_alloc)))
        return lp_kill(p, FAULT_REASON_OUT_OF_MEMORY);
    if (!(*e & VPT_PRESENT))
        return first_touch(p, r, e, va, write, reply);
    if (write)
        return write_existing(p, r, e, va, reply);
    /* Read of a page we have but did not map (fork maps lazily). */
    lp_stats.minor_faults++;
    int exclusive = !(*e & VPT_MODULE) &&
                    lp_frames.refs[frames_index(&lp_frames, *e & VPT_ADDR)] == 1;
    map_reply(reply, e, va, mem_rights(r->prot, exclusive));
    return 1;
}
