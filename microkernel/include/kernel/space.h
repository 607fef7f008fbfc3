/*
 * Address spaces: a PML4 whose upper half is the kernel's, a handle table,
 * and the threads that run in it. The kernel edits the lower half only on
 * the request of a task holding RIGHT_MAP on the space (its pager).
 */
#ifndef KERNEL_SPACE_H
#define KERNEL_SPACE_H

#include <arch/io.h>
#include <arch/paging.h>
#include <kernel/object.h>
#include <stddef.h>

struct thread;

struct space {
    struct object obj;
    uint64_t pml4_phys;
    uint64_t id;
    struct handle_table handles;
    struct thread *threads;       /* live threads, linked by space_next */
    unsigned thread_count;
    bool     is_root;
    bool     torn_down;           /* page tables and handles already gone */
};

#define USER_TOP       0x0000800000000000ull   /* first non-user address */
#define PAGE_SIZE      4096ull

/* ---- page-table entries of the lower half ---- */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

extern bool space_nx;

static inline uint64_t pte_flags(uint32_t rights)
{
    uint64_t f = PTE_P | PTE_U;
    if (rights & PAGE_WRITE)
        f |= PTE_W;
    if (!(rights & PAGE_EXEC) && space_nx)
        f |= PTE_NX;
    return f;
}

static inline uint32_t pte_rights(uint64_t pte)
{
    uint32_t r = PAGE_READ;
    if (pte & PTE_W)
        r |= PAGE_WRITE;
    if (!(pte & PTE_NX))
        r |= PAGE_EXEC;
    return r;
}

/* The level-0 entry for a lower-half va, or NULL when a table is missing. */
static inline uint64_t *space_pte(const struct space *s, uint64_t va)
{
    const uint64_t dm = 0xffff800000000000ull;   /* KERNEL_DIRECT_MAP */
    uint64_t e = ((uint64_t *)(s->pml4_phys + dm))[(va >> 39) & 511];
    if (!(e & PTE_P))
        return 0;
    e = ((uint64_t *)((e & PTE_ADDR) + dm))[(va >> 30) & 511];
    if (!(e & PTE_P))
        return 0;
    e = ((uint64_t *)((e & PTE_ADDR) + dm))[(va >> 21) & 511];
    if (!(e & PTE_P))
        return 0;
    return &((uint64_t *)((e & PTE_ADDR) + dm))[(va >> 12) & 511];
}

/* Once, after the CPU probe. */
void space_init(void);

/* Allocates a space with an empty lower half. NULL when out of memory. */
struct space *space_create(void);

/* Kills the space's threads, frees its page tables and handle table, marks
 * it dead. Safe to call on the current thread's own space (the caller then
 * must schedule). */
void space_destroy(struct space *s);
void space_release(struct space *s);

/* Page-level edits, all on the lower half, all checked by the callers for
 * alignment and range. Rights are PAGE_* bits. */

/* Allocates the page tables that a mapping at va needs: 0, or -1 when
 * memory runs out. After it, space_map_page at va cannot fail. */
int space_prepare_tables(struct space *s, uint64_t va);
uint64_t space_map_page(struct space *s, uint64_t va, uint64_t pa, uint32_t rights);
/* Returns 1 and the frame and rights when va is mapped, else 0. */
int  space_lookup(struct space *s, uint64_t va, uint64_t *pa, uint32_t *rights);
void space_unmap_page(struct space *s, uint64_t va);
/* Changes rights of a mapped page; returns 0 if va was not mapped. */
int  space_protect_page(struct space *s, uint64_t va, uint32_t rights);

/* True when [va, va+len) lies in the user half without wrapping. */
static inline bool user_range_ok(uint64_t va, uint64_t len)
{
    return va < USER_TOP && len <= USER_TOP - va;
}

/* Copies len bytes from the current space's user memory after checking
 * every page is mapped user-readable; IPC_OK or IPC_EADDR. */
uint64_t copy_from_user(void *dst, uint64_t user_src, uint64_t len);

/* The space whose tables are loaded; switching loads CR3 only on change.
 * With no space (a dying one was active), run on the boot tables. */
extern struct space *active_space;

/* Loads a space's tables (s != active_space, s not NULL). */
static inline void space_load(struct space *s)
{
    active_space = s;
    write_cr3(s->pml4_phys);
}

static inline void space_activate(struct space *s)
{
    if (s == active_space)
        return;
    if (s) {
        space_load(s);
    } else {
        active_space = NULL;
        write_cr3(boot_pml4_phys);
    }
}

#endif
