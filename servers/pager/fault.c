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

static int kill(struct process *p, uint64_t reason)
{
    struct ipc_msg m = { .tag = FAULT_KILL, .w = { reason } };
    sys_reply(&m);
    proc_exit(p, (int)PG_STATUS_KILLED(reason));
    return 0;
}

/* A fresh frame for p's page, or 0 (then p is killed for lack of memory). */
static uint64_t new_frame(void)
{
    int64_t i = frames_alloc(&frames);
    return i < 0 ? 0 : frames_phys(&frames, (uint32_t)i);
}

/* The page at va of an image region, built in a new frame: the file's bytes
 * where the segment has them, zero elsewhere. */
static void fill_from_image(const struct region *r, uint64_t va, uint64_t phys)
{
    const struct image_source *src = &r->image;
    uint8_t *dst = window(phys);
    page_zero(dst);
    uint64_t file_lo = src->seg_vaddr, file_hi = src->seg_vaddr + src->seg_filesz;
    uint64_t lo = va > file_lo ? va : file_lo, hi = va + 4096 < file_hi ? va + 4096 : file_hi;
    if (hi > lo)
        memcpy(dst + (lo - va), (const uint8_t *)window(src->module_phys) + src->seg_offset +
                                    (lo - file_lo), hi - lo);
}

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
    *reply = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                               .w = { root->window_base + (*entry & VPT_ADDR), va,
                                      MAP_ITEM(1, rights), 0 } };
}

/* Write to a page we already have: copy it unless it is ours alone. */
static int write_existing(struct process *p, const struct region *r, uint64_t *e, uint64_t va,
                          struct ipc_msg *reply)
{
    uint64_t phys = *e & VPT_ADDR;
    stats.cow_faults_handled++;
    if (!(*e & VPT_MODULE)) {
        uint32_t i = (uint32_t)frames_index(&frames, phys);
        if (frames.refs[i] == 1) {
            stats.minor_faults++;
            map_reply(reply, e, va, mem_rights(r->prot, 1));
            return 1;
        }
    }
    uint64_t copy = new_frame();
    if (!copy)
        return kill(p, FAULT_REASON_OUT_OF_MEMORY);
    page_copy(window(copy), window(phys));
    stats.copies_performed++;
    if (!(*e & VPT_MODULE))
        frames_unref(&frames, (uint32_t)frames_index(&frames, phys));
    *e = copy | VPT_PRESENT;
    map_reply(reply, e, va, mem_rights(r->prot, 1));
    return 1;
}

/* First touch of a page: zero-fill, or the image's bytes. */
static int first_touch(struct process *p, const struct region *r, uint64_t *e, uint64_t va,
                       int write, struct ipc_msg *reply)
{
    if (r->kind == REGION_IMAGE && !write && image_page_whole(r, va)) {
        stats.minor_faults++;                    /* shared with the module, no copy */
        *e = image_page_phys(r, va) | VPT_PRESENT | VPT_MODULE;
        map_reply(reply, e, va, mem_rights(r->prot, 0));
        return 1;
    }
    uint64_t phys = new_frame();
    if (!phys)
        return kill(p, FAULT_REASON_OUT_OF_MEMORY);
    if (r->kind == REGION_IMAGE) {
        fill_from_image(r, va, phys);   /* a private page of the image */
    } else {
        page_zero(window(phys));
        stats.zero_fills++;
    }
    *e = phys | VPT_PRESENT;
    map_reply(reply, e, va, mem_rights(r->prot, 1));
    return 1;
}

int fault_handle(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    /* m and reply may be the same buffer: read everything before writing. */
    if (tag_label(m->tag) != FAULT_PAGE)
        return kill(p, FAULT_REASON_EXCEPTION);
    uint64_t addr = m->w[0], err = m->w[1], va = addr & ~4095ull;
    int write = (err & FAULT_ERR_WRITE) != 0, fetch = (err & FAULT_ERR_FETCH) != 0;
    /* Faults come in runs over one region: try the last one first. */
    struct region *r = p->last_fault_region;
    if (!r || addr < r->start || addr >= r->end)
        r = p->last_fault_region = region_find(p->regions, addr);
    if (!r)
        return kill(p, FAULT_REASON_INVALID_ADDRESS);
    if (r->prot == PROT_NONE || (write && !(r->prot & PROT_WRITE)) ||
        (fetch && !(r->prot & PROT_EXEC)))
        return kill(p, FAULT_REASON_PROTECTION);
    stats.page_faults++;
    uint64_t *e = vpt_lookup(&p->vpt, va);
    if (!e && !(e = vpt_slot(&p->vpt, va, &vpt_allocator)))
        return kill(p, FAULT_REASON_OUT_OF_MEMORY);
    if (!(*e & VPT_PRESENT))
        return first_touch(p, r, e, va, write, reply);
    if (write)
        return write_existing(p, r, e, va, reply);
    /* Read of a page we have but did not map (fork maps lazily). */
    stats.minor_faults++;
    int exclusive = !(*e & VPT_MODULE) &&
                    frames.refs[frames_index(&frames, *e & VPT_ADDR)] == 1;
    map_reply(reply, e, va, mem_rights(r->prot, exclusive));
    return 1;
}
