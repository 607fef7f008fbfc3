/*
 * Kernel-memory accounts: who pays for each frame of the kernel pool.
 *
 * Every frame the kernel takes for a task is charged to an account: its
 * objects (spaces, threads, endpoints, saved replies, accounts) and the
 * mapping nodes of its mappings come from stocks that belong to the
 * account (stock.h), and a space's page tables, shadow pages and handle
 * pages are charged to the space's account. An account may hold at most
 * `limit` frames, counting everything charged to the accounts under it;
 * a charge that would exceed the limit of the account or of any account
 * above it fails (IPC_ENOMEM), and so does a charge by anyone but the
 * root task's account that would leave the pool below its reserve. So
 * a task that exhausts its account hurts nobody outside it, and the root
 * task can always go on.
 *
 * Accounts form a tree. The root task's account is the top; a space
 * shares the account of the task that created it until a holder of its
 * map right gives it one of its own (SYS_SPACE_LIMIT), under the account
 * of a space it names; the pager does so for each process, under its
 * parent's. An account lives while a space pays from it, an account is
 * under it or an object of its stocks is alive; then its stocks' frames go
 * back to the pool and it leaves its parent's stock.
 */
#ifndef KERNEL_ACCOUNT_H
#define KERNEL_ACCOUNT_H

#include <kernel/object.h>
#include <kernel/stock.h>
#include <stdbool.h>
#include <stdint.h>

/* Stocks of an account: one per object type (indexed by it), then these. */
enum { STOCK_NODE = OBJ_TYPE_COUNT, STOCK_ACCOUNT, STOCK_KINDS };

/* Deepest account: a space given an account deeper than this shares its
 * parent's instead (limits are still those of the parent's chain). */
#define ACCOUNT_DEPTH_MAX 8

struct account {
    struct account *parent;      /* ref; NULL for the root task's */
    uint64_t limit;              /* frames it and all under it may hold */
    uint64_t used;               /* frames charged to it and all under it */
    uint32_t refs;               /* paying spaces, accounts under it, live objects */
    uint32_t depth;              /* the root task's: 0 */
    struct stock stocks[STOCK_KINDS];
    struct account *next, **link;   /* every account (for the totals) */
};

/* The root task's account (the whole pool) and the frames only it may
 * take; set once at boot. */
extern struct account root_account;
void account_init_root(uint64_t limit, uint64_t reserve);
extern uint64_t account_reserve_frames;

/* A frame charged to a (its physical address), or 0 when a's limits or the
 * reserve forbid it, or the pool is empty. */
uint64_t account_frame_alloc(struct account *a);
void     account_frame_free(struct account *a, uint64_t pa);

void account_ref(struct account *a);
/* At zero: every stock's frames go back, and a leaves its parent. */
void account_unref(struct account *a);

/* Whether n frames charged to `from` may move to a new account of limit
 * `limit` under `parent` (every account that would gain them has room). */
bool account_move_ok(struct account *from, struct account *parent, uint64_t limit,
                     uint64_t n);
/* Whether they may move to `to` itself. */
bool account_move_to_ok(struct account *from, struct account *to, uint64_t n);
/* Makes sure account_create under parent cannot fail. */
bool account_reserve(struct account *parent);
/* A new account under parent (reserved); refs 1. */
struct account *account_create(struct account *parent, uint64_t limit);
/* Moves n frames' charge from one account to another (checked). */
void account_move(struct account *from, struct account *to, uint64_t n);

/* Mapping nodes in use in all accounts (KINFO_MAPPINGS). */
uint64_t account_nodes_live(void);

#endif
