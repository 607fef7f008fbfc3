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
#include <kernel/pte.h>
#include <stddef.h>

struct thread;
struct endpoint;
struct mapping;

struct space {
    struct object obj;
    uint64_t pml4_phys;
    uint64_t id;
    struct handle_table handles;
    struct thread *threads;       /* live threads, linked by space_next */
    struct mapping *mappings;     /* its derived mappings' nodes (mapdb.h) */
    struct object *owned;         /* what its task made (object.h, ownership) */
    /* Who pays for its tables, shadows, handle pages and mapping nodes
     * (ref; account.h), and how many frames of those it holds now. NULL
     * once torn down. own_account: the account is its own (SYS_SPACE_LIMIT),
     * not its creator's. */
    struct account *account;
    struct stock *nodes;          /* the account's node stock (the fastpath's) */
    uint64_t frames;
    bool     own_account;
    struct endpoint *pager;       /* ref: where its threads' faults go; NULL: faults kill */
    uint64_t pager_badge;         /* the badge its fault messages carry */
    /* Its death notice (ipc/fault.h DEATH_NOTICE): how the last thread
     * went, and the link on the pager endpoint's list while it waits. */
    uint64_t death_how, death_status, death_badge;
    struct space *notice_next;
    bool     notice_queued;
    bool     pager_knows;         /* its pager is ending it: no notice */
    unsigned thread_count;
    bool     is_root;
    bool     torn_down;           /* page tables and handles already gone */
    /* Its creator's word for it, NUL-padded: for people (traces, debuggers,
     * kill boxes). Last, so that no field the fastpath reads moves. */
    char     name[16];
};

#define USER_TOP       0x0000800000000000ull   /* first non-user address */
#define PAGE_SIZE      4096ull

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

/* Allocates a space with an empty lower half, paid for (object and tables)
 * by account a. NULL when a may not have the memory. */
struct space *space_create(struct account *a, const char name[16]);

/* A frame for s's own structures (tables, handle pages), charged to its
 * account: its physical address, or 0. */
uint64_t space_frame_alloc(struct space *s);
void space_frame_free(struct space *s, uint64_t pa);

/* Where s's mapping nodes come from (s->nodes; a function for host tests). */
struct stock *space_nodes(struct space *s);

/* Gives s an account of its own of `limit` frames under the account of
 * `under` (or, too deep, makes it share under's account), moving the
 * charge of what s holds. IPC_ESTATE when s has mappings or already has
 * its own account; IPC_ENOMEM when the accounts have no room. The value:
 * 1 own account, 0 shared. */
uint64_t space_set_account(struct space *s, struct space *under, uint64_t limit,
                           uint64_t *own);

/* Kills the space's threads, frees its page tables and handle table, marks
 * it dead. Safe to call on the current thread's own space (the caller then
 * must schedule). */
void space_destroy(struct space *s);

/* Faults of s's threads go to pager (NULL: they kill), carrying badge;
 * takes a reference on the new pager, drops the old one's. */
void space_set_pager(struct space *s, struct endpoint *pager, uint64_t badge);
void space_release(struct space *s);

/* Page-level access, all on the lower half, all checked by the callers for
 * alignment and range. Rights are PAGE_* bits. Mappings themselves are
 * made and taken away through the mapping database (mapdb.h, vmops.h). */

/* Allocates the page tables that a mapping at va needs: 0, or -1 when
 * memory runs out. After it, space_entry(s, va) is not NULL. */
int space_prepare_tables(struct space *s, uint64_t va);
/* The level-0 entry for va, or NULL when its tables do not exist (the
 * out-of-line twin of space_pte, which host tests can replace). */
uint64_t *space_entry(struct space *s, uint64_t va);
/* A root mapping (the kernel's own, for the root task), replacing what
 * was there; IPC_OK or IPC_ENOMEM. */
uint64_t space_map_root(struct space *s, uint64_t va, uint64_t pa, uint32_t rights);
/* Returns 1 and the frame and rights when va is mapped, else 0. */
int  space_lookup(struct space *s, uint64_t va, uint64_t *pa, uint32_t *rights);

/* True when [va, va+len) lies in the user half without wrapping. */
/* Entries of s lost rights or went: its TLB entries go on every CPU that
 * has it loaded, this one's at the next mapdb_sync (arch/tlb.h). */
void space_tlb_stale(struct space *s);

static inline bool user_range_ok(uint64_t va, uint64_t len)
{
    return va < USER_TOP && len <= USER_TOP - va;
}

/* Copies len bytes from the current space's user memory after checking
 * every page is mapped user-readable; IPC_OK or IPC_EADDR. */
uint64_t copy_from_user(void *dst, uint64_t user_src, uint64_t len);

/* The space whose tables are loaded; switching loads CR3 only on change.
 * With no space (a dying one was active), run on the boot tables. */
#ifdef KERNEL_HOST_TEST
extern struct space *active_space;
#else
#include <arch/percpu.h>
#define active_space PERCPU(struct space *, CPU_SPACE)  /* this CPU's */
#endif

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
