/* Address spaces and their page tables; see space.h. */
#include <arch/io.h>
#include <arch/paging.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frames.h>
#include <kernel/lib.h>
#include <kernel/space.h>
#include <kernel/thread.h>


struct space *active_space;
static uint64_t next_space_id = 1;

static uint64_t *table_of(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR); }
static unsigned index_of(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }
bool space_nx;                      /* the CPU has NX: use PTE_NX */

void space_init(void)
{
    space_nx = cpu_has(CPU_NX);
}

struct space *space_create(void)
{
    struct space *s = object_alloc(OBJ_SPACE);
    if (!s)
        return NULL;
    uint64_t pa = frames_alloc(&kernel_frames);
    if (!pa) {
        s->obj.refs = 1;
        s->torn_down = true;
        object_unref(&s->obj);
        return NULL;
    }
    uint64_t *pml4 = phys_to_virt(pa);
    uint64_t *kernel_pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
    memset(pml4, 0, 256 * sizeof(uint64_t));
    /* The kernel half is shared: the same PDPTs in every space. */
    memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
    s->pml4_phys = pa;
    s->id = next_space_id++;
    return s;
}

/* Returns the level-0 entry for va, creating tables when asked. */
static uint64_t *walk(struct space *s, uint64_t va, bool create)
{
    uint64_t *t = phys_to_virt(s->pml4_phys);
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &t[index_of(va, level)];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t pa = frames_alloc(&kernel_frames);
            if (!pa)
                return NULL;
            memset(phys_to_virt(pa), 0, FRAME_SIZE);
            *e = pa | PTE_P | PTE_W | PTE_U;
        }
        t = table_of(*e);
    }
    return &t[index_of(va, 0)];
}

int space_prepare_tables(struct space *s, uint64_t va)
{
    return walk(s, va, true) ? 0 : -1;
}


static void flush_page(struct space *s, uint64_t va)
{
    if (s == active_space)
        __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uint64_t space_map_page(struct space *s, uint64_t va, uint64_t pa, uint32_t rights)
{
    uint64_t *pte = walk(s, va, true);
    if (!pte)
        return IPC_ENOMEM;
    bool was_present = *pte & PTE_P;
    *pte = (pa & PTE_ADDR) | pte_flags(rights);
    if (was_present)
        flush_page(s, va);
    return IPC_OK;
}

int space_lookup(struct space *s, uint64_t va, uint64_t *pa, uint32_t *rights)
{
    uint64_t *pte = walk(s, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    *pa = *pte & PTE_ADDR;
    *rights = pte_rights(*pte);
    return 1;
}

void space_unmap_page(struct space *s, uint64_t va)
{
    uint64_t *pte = walk(s, va, false);
    if (pte && (*pte & PTE_P)) {
        *pte = 0;
        flush_page(s, va);
    }
}

int space_protect_page(struct space *s, uint64_t va, uint32_t rights)
{
    uint64_t *pte = walk(s, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    *pte = (*pte & PTE_ADDR) | pte_flags(rights);
    flush_page(s, va);
    return 1;
}

/* Frees the lower half's tables (not the frames they map: those belong to
 * the pager). */
static void free_tables(uint64_t *table, int level)
{
    for (unsigned i = 0; i < (level == 3 ? 256u : 512u); i++) {
        if (!(table[i] & PTE_P))
            continue;
        if (level > 1)
            free_tables(table_of(table[i]), level - 1);
        frames_free(&kernel_frames, table[i] & PTE_ADDR);
        table[i] = 0;
    }
}

static void teardown(struct space *s)
{
    if (s->torn_down)
        return;
    s->torn_down = true;
    if (active_space == s)
        space_activate(NULL);
    free_tables(phys_to_virt(s->pml4_phys), 3);
    frames_free(&kernel_frames, s->pml4_phys);
    handle_table_destroy(s);
}

void space_destroy(struct space *s)
{
    object_ref(&s->obj);              /* keep s while its threads die */
    while (s->threads)
        thread_kill(s->threads, IPC_EDEAD);
    s->obj.dead = true;
    teardown(s);
    object_unref(&s->obj);
}

void space_release(struct space *s) { teardown(s); }


uint64_t copy_from_user(void *dst, uint64_t src, uint64_t len)
{
    if (!user_range_ok(src, len))
        return IPC_EADDR;
    for (uint64_t page = src & ~(PAGE_SIZE - 1); page < src + len; page += PAGE_SIZE) {
        uint64_t pa;
        uint32_t rights;
        if (!space_lookup(active_space, page, &pa, &rights))
            return IPC_EADDR;
    }
    if (cpu_has(CPU_SMAP))
        __asm__ volatile("stac" ::: "memory");
    memcpy(dst, (const void *)src, len);
    if (cpu_has(CPU_SMAP))
        __asm__ volatile("clac" ::: "memory");
    return IPC_OK;
}
