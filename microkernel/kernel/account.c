/* Kernel-memory accounts; see account.h. */
#include <kernel/account.h>
#include <kernel/boot.h>
#include <kernel/endpoint.h>
#include <kernel/frames.h>
#include <kernel/ipc.h>
#include <kernel/lib.h>
#include <kernel/mapdb.h>
#include <kernel/panic.h>
#include <kernel/space.h>
#include <kernel/thread.h>

struct account root_account;
uint64_t account_reserve_frames;
static struct account *all_accounts;

#define ITEM(type) ((sizeof(type) + 15) & ~(uint64_t)15)   /* keeps objects 16-aligned */
static const uint64_t item_size[STOCK_KINDS] = {
    [OBJ_SPACE] = ITEM(struct space),
    [OBJ_THREAD] = ITEM(struct thread),
    [OBJ_ENDPOINT] = ITEM(struct endpoint),
    [OBJ_REPLY] = ITEM(struct reply_cap),
    [STOCK_NODE] = sizeof(struct mapping),
    [STOCK_ACCOUNT] = ITEM(struct account),
};

static void init(struct account *a, struct account *parent, uint64_t limit)
{
    memset(a, 0, sizeof(*a));
    a->parent = parent;
    a->limit = limit;
    a->refs = 1;
    a->depth = parent ? parent->depth + 1 : 0;
    for (unsigned k = 1; k < STOCK_KINDS; k++) {
        a->stocks[k].size = item_size[k];
        a->stocks[k].owner = a;
    }
    a->next = all_accounts;
    if (a->next)
        a->next->link = &a->next;
    a->link = &all_accounts;
    all_accounts = a;
}

uint64_t account_nodes_live(void)
{
    uint64_t n = 0;
    for (struct account *a = all_accounts; a; a = a->next)
        n += stock_live(&a->stocks[STOCK_NODE]);
    return n;
}

void account_init_root(uint64_t limit, uint64_t reserve)
{
    init(&root_account, NULL, limit);
    account_reserve_frames = reserve;
}

/* Whether every account from a up may take n more frames, leaving out
 * those at and above `except` (they would not gain: the frames come from
 * below them). */
static bool room(struct account *a, uint64_t n, struct account *except)
{
    for (; a; a = a->parent) {
        for (struct account *e = except; e; e = e->parent)
            if (e == a)
                return true;         /* from here up nothing changes */
        if (a->used + n > a->limit)
            return false;
    }
    return true;
}

static void charge(struct account *a, int64_t n)
{
    for (; a; a = a->parent)
        a->used += (uint64_t)n;
}

uint64_t account_frame_alloc(struct account *a)
{
    if (!room(a, 1, NULL))
        return 0;
    if (a != &root_account && kernel_frames.free_frames <= account_reserve_frames)
        return 0;                    /* what is left is the root task's */
    uint64_t pa = frames_alloc(&kernel_frames);
    if (pa)
        charge(a, 1);
    return pa;
}

void account_frame_free(struct account *a, uint64_t pa)
{
    frames_free(&kernel_frames, pa);
    charge(a, -1);
}

void *stock_frame_get(struct stock *st)
{
    uint64_t pa = account_frame_alloc(st->owner);
    return pa ? phys_to_virt(pa) : NULL;
}

void stock_frame_put(struct stock *st, void *frame)
{
    account_frame_free(st->owner, (uint64_t)frame - KERNEL_DIRECT_MAP);
}

void account_ref(struct account *a) { a->refs++; }

void account_unref(struct account *a)
{
    /* Iterative: freeing an account drops a reference to its parent. */
    while (a && --a->refs == 0) {
        struct account *parent = a->parent;
        for (unsigned k = 1; k < STOCK_KINDS; k++) {
            if (stock_live(&a->stocks[k]))
                panic("account: freed with %lu items of kind %u alive",
                      stock_live(&a->stocks[k]), k);
            stock_drain(&a->stocks[k]);
        }
        if (a->used)
            panic("account: freed holding %lu frames", a->used);
        if (!parent)
            panic("account: the root task's account freed");
        *a->link = a->next;
        if (a->next)
            a->next->link = a->link;
        stock_put(a);
        a = parent;
    }
}

bool account_move_ok(struct account *from, struct account *parent, uint64_t limit, uint64_t n)
{
    return n <= limit && room(parent, n, from);
}

bool account_move_to_ok(struct account *from, struct account *to, uint64_t n)
{
    return room(to, n, from);
}

bool account_reserve(struct account *parent)
{
    return stock_reserve(&parent->stocks[STOCK_ACCOUNT], 1);
}

struct account *account_create(struct account *parent, uint64_t limit)
{
    struct account *a = stock_take(&parent->stocks[STOCK_ACCOUNT]);
    init(a, parent, limit);
    account_ref(parent);
    return a;
}

void account_move(struct account *from, struct account *to, uint64_t n)
{
    charge(from, -(int64_t)n);
    charge(to, (int64_t)n);
}
