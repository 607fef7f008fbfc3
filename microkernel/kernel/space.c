/* Address spaces and their page tables; see space.h. */
#include <arch/tlb.h>
#include <arch/io.h>
#include <ipc/fault.h>
#include <arch/paging.h>
#include <kernel/account.h>
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <kernel/cpu.h>
#include <kernel/endpoint.h>
#include <kernel/frames.h>
#include <kernel/lib.h>
#include <kernel/mapdb.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/trace.h>


static uint64_t next_space_id = 1;

static uint64_t *table_of(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR); }
static unsigned index_of(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }
bool space_nx;                      /* the CPU has NX: use PTE_NX */

void space_init(void)
{
    space_nx = cpu_has(CPU_NX);
}

uint64_t space_frame_alloc(struct space *s)
{
    uint64_t pa = account_frame_alloc(s->account);
    s->frames += pa != 0;
    return pa;
}

void space_frame_free(struct space *s, uint64_t pa)
{
    account_frame_free(s->account, pa);
    s->frames--;
}

struct stock *space_nodes(struct space *s) { return s->nodes; }

static void pay_from(struct space *s, struct account *a)
{
    s->account = a;
    s->nodes = &a->stocks[STOCK_NODE];
}

struct space *space_create(struct account *a, const char name[16])
{
    uint64_t pa = object_reserve(a, OBJ_SPACE) ? account_frame_alloc(a) : 0;
    if (!pa)
        return NULL;                  /* nothing taken: the stock keeps what it grew */
    struct space *s = object_alloc(a, OBJ_SPACE);   /* reserved: cannot fail */
    pay_from(s, a);
    account_ref(a);
    s->frames = 1;                    /* its PML4 */
    s->death_how = DEATH_KILLED;      /* unless its last thread exits (SYS_EXIT) */
    uint64_t *pml4 = phys_to_virt(pa);
    uint64_t *kernel_pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
    memset(pml4, 0, 256 * sizeof(uint64_t));
    /* The kernel half is shared: the same PDPTs in every space. */
    memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
    s->pml4_phys = pa;
    s->id = next_space_id++;
    __builtin_memcpy(s->name, name, sizeof(s->name));   /* two stores */
    if (unlikely(trace_on)) {
        uint64_t w[2];
        __builtin_memcpy(w, s->name, sizeof(w));
        trace_emit(TRACE_SPACE, current, 0, w[0], w[1], s->id);
    }
    return s;
}

/* A zeroed table; a level-0 table gets its shadow page too (mapdb.h),
 * left unwritten: a slot counts only while its entry is present. */
static uint64_t new_table(struct space *s, int level)
{
    uint64_t pa = space_frame_alloc(s);
    if (!pa)
        return 0;
    if (level == 0) {
        uint64_t shadow = space_frame_alloc(s);
        if (!shadow || kmap_shadow(pa, shadow)) {
            if (shadow)
                space_frame_free(s, shadow);
            space_frame_free(s, pa);
            return 0;
        }
    }
    memset(phys_to_virt(pa), 0, FRAME_SIZE);
    return pa;
}

/* Returns the level-0 entry for va, creating tables when asked. */
static uint64_t *walk(struct space *s, uint64_t va, bool create)
{
    uint64_t *t = phys_to_virt(s->pml4_phys);
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &t[index_of(va, level)];
        if (!(*e & PTE_P)) {
            uint64_t pa = create ? new_table(s, level - 1) : 0;
            if (!pa)
                return NULL;
            *e = pa | PTE_P | PTE_W | PTE_U;
        }
        t = table_of(*e);
    }
    return &t[index_of(va, 0)];
}

void space_set_pager(struct space *s, struct endpoint *pager, uint64_t badge)
{
    if (pager)
        object_ref(&pager->obj);
    struct endpoint *old = s->pager;
    s->pager = pager;
    s->pager_badge = badge;
    if (old)
        object_unref(&old->obj);
}

int space_prepare_tables(struct space *s, uint64_t va)
{
    return walk(s, va, true) ? 0 : -1;
}

uint64_t *space_entry(struct space *s, uint64_t va)
{
    return walk(s, va, false);
}

uint64_t space_map_root(struct space *s, uint64_t va, uint64_t pa, uint32_t rights)
{
    uint64_t *pte = walk(s, va, true);
    if (!pte)
        return IPC_ENOMEM;
    if ((*pte & PTE_P) && !mapdb_is_root(pte)) {
        mapdb_unmap(pte);
        mapdb_sync();
    }
    mapdb_set_root(pte, pa, rights);
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

/* Derived entries lost rights or went, in spaces not named: this CPU's
 * loaded one, and every other CPU's. */
void mapdb_flush(void)
{
    if (active_space)
        write_cr3(active_space->pml4_phys);
    tlb_shootdown(NULL, false);
}

void space_tlb_stale(struct space *s)
{
    if (s == active_space)
        mapdb_stale = true;           /* mapdb_flush: here and every other CPU */
    else
        tlb_shootdown(s, false);      /* the CPUs that have it loaded */
}

/* The first present entry of t at or after i (n: none). Tables are mostly
 * empty: their empty stretches go eight entries at a time. */
static unsigned next_present(const uint64_t *t, unsigned i, unsigned n)
{
    while (i + 8 <= n && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] |
                            t[i + 6] | t[i + 7]) & PTE_P))
        i += 8;
    while (i < n && !(t[i] & PTE_P))
        i++;
    return i;
}

/* Frees the lower half's tables and their shadows (not the frames they
 * map: those belong to the pagers). Its mappings are gone by now. */
static void free_tables(struct space *s, uint64_t *table, int level)
{
    unsigned n = level == 3 ? 256u : 512u;
    for (unsigned i = next_present(table, 0, n); i < n; i = next_present(table, i + 1, n)) {
        if (level > 1)
            free_tables(s, table_of(table[i]), level - 1);
        else
            space_frame_free(s, kunmap_shadow(table[i] & PTE_ADDR));
        space_frame_free(s, table[i] & PTE_ADDR);
        table[i] = 0;
    }
}

static void teardown(struct space *s)
{
    if (s->torn_down)
        return;
    s->torn_down = true;
    object_owner_died(s);             /* a space that goes takes its task's making along */
    if (active_space == s)
        space_activate(NULL);
    tlb_shootdown(s, true);           /* no CPU keeps the tables about to go */
    /* Every mapping made in it goes, with what was derived from it. */
    mapdb_unmap_all(&s->mappings);
    mapdb_sync();
    free_tables(s, phys_to_virt(s->pml4_phys), 3);
    space_frame_free(s, s->pml4_phys);
    space_set_pager(s, NULL, 0);
    handle_table_destroy(s);
    if (s->frames)
        panic("space %lu: %lu frames left at teardown", s->id, s->frames);
    account_unref(s->account);       /* its nodes are all back: it may go */
    s->account = NULL;
    s->nodes = NULL;
}

void space_destroy(struct space *s)
{
    object_ref(&s->obj);              /* keep s while its threads die */
    s->pager_knows = true;            /* whoever destroys it knows: no notice */
    while (s->threads)
        thread_kill(s->threads, IPC_EDEAD);
    s->obj.dead = true;
    teardown(s);
    object_unref(&s->obj);
}

void space_release(struct space *s) { teardown(s); }

uint64_t space_set_account(struct space *s, struct space *under, uint64_t limit, uint64_t *own)
{
    if (s->own_account || s->mappings || !s->account || !under->account)
        return IPC_ESTATE;
    struct account *parent = under->account, *old = s->account;
    *own = parent->depth < ACCOUNT_DEPTH_MAX;
    if (!*own) {                      /* too deep: share under's */
        if (!account_move_to_ok(old, parent, s->frames))
            return IPC_ENOMEM;
        account_move(old, parent, s->frames);
        account_ref(parent);
        pay_from(s, parent);
    } else {
        if (!account_move_ok(old, parent, limit, s->frames) || !account_reserve(parent))
            return IPC_ENOMEM;
        struct account *a = account_create(parent, limit);   /* reserved: cannot fail */
        account_move(old, a, s->frames);
        pay_from(s, a);               /* with the reference account_create gave */
        s->own_account = true;
    }
    account_unref(old);
    return IPC_OK;
}


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
