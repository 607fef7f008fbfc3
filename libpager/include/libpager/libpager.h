/*
 * libpager: everything a pager does that is not its paging policy. It
 * runs the server loop, keeps the process table, starts programs from
 * boot modules (ELF checked and cut into segments), answers exit, wait,
 * kill, getpid, getenv, spawn, stats and info, keeps the commit count and
 * the statistics, and gives each process its kernel-memory account. The
 * pager itself is a table of hooks (struct lp_policy) that decide what
 * backs each page: load an image, resolve a fault, mmap, mprotect,
 * munmap, fork, exit. docs/writing-a-pager.md shows one in 150 lines.
 *
 * The same pager runs two ways, chosen at start-up by libpager:
 *   root task  the kernel's root info names every free frame and module;
 *              memory is the root window (window_base + phys).
 *   stacked    an ordinary process under another pager: its memory is one
 *              big mmap from that pager (the "arena", stacked.mib=N, 32 by
 *              default), modules come from PG_MODULE, the command line from
 *              PG_GETENV, and it starts stacked.init (not init). Its
 *              children's spaces belong to it: when it dies, they die, and
 *              every frame goes back to its own pager.
 * Policies do not see the difference: a page is named by its "phys"
 * address, which lp_window() turns into the pager's own pointer to it (in
 * stacked mode, phys is that pointer).
 */
#ifndef LIBPAGER_H
#define LIBPAGER_H

#include <ipc/fault.h>
#include <ipc/pager.h>
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>
#include <ipc/waiters.h>
#include <libpager/frames.h>

#define LP_MAX_PROCS     256          /* a badge carries the slot in 8 bits */
#define LP_MAX_SEGMENTS  16           /* PT_LOAD segments of one image */
#define LP_PAGE          4096ull
/* The part of the address space mmap may use: above the first page, below
 * the stack's guard page. */
#define LP_STACK_BOTTOM  (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)
#define LP_USER_END      (LP_STACK_BOTTOM - LP_PAGE)

enum lp_state { LP_FREE = 0, LP_LIVE, LP_ZOMBIE };

/* One process. `slot` indexes the policy's own per-process array (every
 * policy keeps one: `static struct my_proc mine[LP_MAX_PROCS]`). */
struct lp_process {
    uint64_t pid, parent;         /* parent 0: nobody waits for it */
    char name[16];                /* its program's, NUL-padded (its space's name) */
    uint32_t state, slot;
    uint32_t priority;
    int exit_status;
    int doomed;                   /* its parent ended: killed next */
    handle_t space, thread;       /* space 0 once destroyed */
    handle_t pager_ep;            /* our badged endpoint, the space's pager */
    struct waiters waiters;       /* its threads blocked in wait() */
    uint64_t kmem_limit;          /* kernel-pool frames its account may hold */
    uint64_t committed;           /* pages counted against the commit limit */
};

/* A boot module: its bytes at lp_window(phys), read-only. */
struct lp_module {
    uint64_t phys, size;
    char name[ROOT_NAME_MAX];
};

/* A PT_LOAD segment: pages [start, end) with prot; the file's bytes cover
 * [vaddr, vaddr + filesz) from the module's offset `offset`, zero beyond. */
struct lp_segment {
    uint64_t start, end;
    uint32_t prot;                /* PROT_* */
    uint64_t vaddr, offset, filesz;
};

struct lp_image {
    const struct lp_module *module;
    uint64_t entry;
    unsigned count;
    struct lp_segment segments[LP_MAX_SEGMENTS];
};

/*
 * The policy. Every address range a hook gets is checked already: page
 * aligned, inside [LP_PAGE, LP_USER_END) (the stack, mapped by load's
 * caller through mmap, is the one range above), prot only PROT_* bits.
 * Hooks return PG_OK or a PG_E* status unless said otherwise. Optional
 * hooks may be NULL.
 */
struct lp_policy {
    const char *name;             /* prefixes our messages, PG_INFO's name */
    uint32_t features;            /* PG_FEATURE_COMMIT, _LAZY it declares;
                                     FORK, MODULE, STACKED come from the hooks
                                     and the mode */
    int own_frames;               /* 1: the policy manages lp_memory() itself;
                                     0: libpager builds lp_frames over it */
    /* Once memory is known, before init starts (optional). */
    int (*start)(void);
    /* A new process's memory for its image (the stack comes next, through
     * mmap with fixed = 1). The space exists; the thread does not run yet. */
    uint64_t (*load)(struct lp_process *p, const struct lp_image *image);
    /* A fault message from the kernel (FAULT_PAGE or FAULT_EXCEPTION), for a
     * thread of p: fill reply (it may be the same buffer as m: read m
     * first) and return 1, or kill p with lp_kill and return 0. */
    int (*fault)(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply);
    /* pages at addr (fixed: exactly there, replacing what is there; else
     * anywhere, addr is 0) with prot; *out = the address. */
    uint64_t (*mmap)(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot,
                     int fixed, uint64_t *out);
    /* PG_EINVAL when a page of the range has no memory. */
    uint64_t (*mprotect)(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot);
    uint64_t (*munmap)(struct lp_process *p, uint64_t addr, uint64_t pages);
    /* Optional (NULL: PG_FORK answers PG_ENOSYS): give child a copy of
     * parent's memory. The child's space exists, its thread not started. */
    uint64_t (*fork)(struct lp_process *parent, struct lp_process *child);
    /* Free everything of p's memory. Its space is gone already (p->space
     * is 0): nothing to unmap. Also called for a half-built process. */
    void (*exit)(struct lp_process *p);
    /* Optional (NULL: PG_ENOSYS): map module m read-only and executable
     * somewhere mmap would put it, *addr = where. */
    uint64_t (*module)(struct lp_process *p, const struct lp_module *m, uint64_t *addr);
    /* Optional: free frames, when own_frames (else lp_frames' count). */
    uint64_t (*frames_free)(void);
    /* Optional: a line of statistics of its own, after the PAGER line. */
    void (*print_stats)(void);
};

/* The pager's main() calls this with its argument; returns init's status. */
int lp_main(const struct lp_policy *policy, uint64_t arg);

/* ---- services for policies ---- */

/* The standard counters, printed in the PAGER line and sent by PG_STATS.
 * A policy counts what it does. */
struct lp_counters {
    uint64_t page_faults, minor_faults, cow_faults, copies, zero_fills;
};
extern struct lp_counters lp_stats;

/* Kill p from its fault (reply FAULT_KILL with reason, FAULT_REASON_*),
 * take everything back, tell its parent. Returns 0, for the fault hook. */
int lp_kill(struct lp_process *p, uint64_t reason);

/* Strict commit: PG_OK, PG_ENOMEM (the pager would run out) or PG_ELIMIT
 * (p would pass pager.max_mib). Exit gives p's back by itself. */
uint64_t lp_commit(struct lp_process *p, uint64_t pages);
void lp_uncommit(struct lp_process *p, uint64_t pages);
/* Whether lp_commit(p, pages) would succeed once `released` of p's pages
 * are given back (a MAP_FIXED that replaces them checks first, so that
 * failing it loses nothing); PG_OK or the error lp_commit would give. */
uint64_t lp_commit_fits(const struct lp_process *p, uint64_t pages, uint64_t released);

/* The command line ("key=value"): from the root info, or when stacked
 * from our pager. lp_env returns 1 when key is there. */
int lp_env(const char *key, char *out, unsigned size);
uint64_t lp_env_number(const char *key, uint64_t dflt);

/* Memory: ranges of "phys" addresses, lp_window(phys) our pointer. */
struct lp_range { uint64_t base, size; };
unsigned lp_memory(const struct lp_range **ranges);
extern uint64_t lp_window_base;
static inline void *lp_window(uint64_t phys) { return (void *)(lp_window_base + phys); }
extern int lp_stacked;            /* 1 when running under another pager */

/* The frame table over lp_memory() (unless own_frames), with a count of
 * references per frame; the pager's own tables take frames from it too. */
extern struct frame_table lp_frames;
uint64_t lp_frame_new(void);      /* a frame's phys (not zeroed), or 0 */
void lp_frame_free(uint64_t phys);  /* drops a reference (lp_frame_new's) */
void *lp_heap_page(void);         /* a zeroed frame for our tables, or NULL */
void lp_heap_page_free(void *page);
void lp_page_zero(void *dst);
void lp_page_copy(void *dst, const void *src);
/* (Region lists and tracking tables for a policy: libpager/tables.h.) */

/* PAGE_* rights for a page of memory with PROT_* prot (read always: x86
 * cannot withhold it from a mapped page). */
static inline uint32_t lp_page_rights(uint32_t prot)
{
    return PAGE_READ | (prot & PROT_WRITE ? PAGE_WRITE : 0) | (prot & PROT_EXEC ? PAGE_EXEC : 0);
}

/* The fault's answer: resume, with our frame phys mapped at va. */
static inline void lp_map_reply(struct ipc_msg *reply, uint64_t phys, uint64_t va, uint32_t rights)
{
    *reply = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                               .w = { lp_window_base + phys, va, MAP_ITEM(1, rights), 0 } };
}

/* The process that sent badge, or NULL when it is gone. */
struct lp_process *lp_process_of(uint64_t badge);
struct lp_process *lp_process_by_pid(uint64_t pid);   /* live or zombie */

#endif
