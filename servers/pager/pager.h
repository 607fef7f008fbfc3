/*
 * The pager: the root task. It owns every free frame, starts programs from
 * boot modules, resolves their page faults (demand-zero, image pages,
 * copy-on-write) and serves the process calls of ipc/pager.h.
 */
#ifndef PAGER_H
#define PAGER_H

#include "frames.h"
#include "region.h"
#include "vpt.h"
#include <ipc/cmdline.h>
#include <ipc/fault.h>
#include <ipc/kmem.h>
#include <ipc/pager.h>
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>
#include <ipc/waiters.h>

#define MAX_PROCS       256
#define PROC_PRIORITY   10

enum proc_state { PROC_FREE = 0, PROC_LIVE, PROC_ZOMBIE };

struct process {
    uint64_t pid, parent;         /* parent 0: nobody waits for it */
    uint32_t state;
    uint32_t priority;
    handle_t space, thread;
    handle_t pager_ep;            /* our badged copy given to its thread */
    struct region *regions;
    struct region *last_fault_region;    /* hint; NULL after any region change */
    struct vpt vpt;
    uint64_t committed;           /* pages counted against the commit limit */
    int exit_status;
    struct waiters waiters;       /* its threads blocked in wait() */
    int doomed;                   /* its parent ended: it is killed next */
    uint64_t kmem_limit;          /* kernel-pool frames its account may hold */
};

struct pager_stats_counters {
    uint64_t page_faults, minor_faults, cow_faults_handled;
    uint64_t copies_performed, zero_fills;
};

/* ---- main.c: shared state ---- */
extern struct frame_table frames;
extern const struct root_info *root;
extern handle_t pager_ep;                 /* the endpoint everyone calls */
extern struct pager_stats_counters stats;
extern const struct region_alloc region_allocator;
extern const struct vpt_alloc vpt_allocator;
extern uint64_t committed, commit_limit;   /* pages promised / promisable */
/* Per-process limits, from the command line (pager.max_children=N,
 * pager.max_mib=N): live children of one process, and pages one process
 * may commit (default: half of commit_limit). */
extern uint64_t max_children, process_commit_limit;
/* Kernel memory (SYS_SPACE_LIMIT, ipc/kmem.h): what a process started by
 * the pager may hold (pager.kmem_kib=N, default kmem_top_default()). */
extern uint64_t kmem_top_limit;

static inline void *window(uint64_t phys) { return (void *)(root->window_base + phys); }

/* ---- heap.c ---- */
void *heap_page(void);                    /* zeroed frame, window address, or NULL */
void heap_page_free(void *va);

/* ---- frame copy and zero, as cheap as the ISA allows ---- */
void page_zero(void *dst);
void page_copy(void *dst, const void *src);

/* ---- process.c ---- */
struct process *proc_from_badge(uint64_t badge);
/* A new process running module `name`; `gift` (a handle of ours, or 0) is
 * granted to it as CHILD_GIFT_HANDLE. */
struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, int *err);
void proc_fork(struct process *p, struct ipc_msg *m, struct ipc_msg *reply);
void proc_exit(struct process *p, int status);   /* reclaim, notify the parent */
void proc_wait(struct process *p, struct ipc_msg *m, struct ipc_msg *reply, int *replied);
uint64_t proc_live_count(void);
uint64_t proc_kill_child(struct process *p, uint64_t pid);   /* PG_OK or PG_ECHILD */

/* ---- fault.c ---- */
/* Fills reply for fault message m of process p (they may be one buffer);
 * returns 0 when the process was killed instead (the kill reply is already
 * sent). */
int fault_handle(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply);

/* ---- memory.c: mmap, mprotect, munmap ---- */
void mem_mmap(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply);
void mem_mprotect(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply);
void mem_munmap(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply);
/* Drops the pages of [start, end) from p's tables and the kernel's. */
void mem_drop_pages(struct process *p, uint64_t start, uint64_t end);
/* Strict commit: counts pages against commit_limit and p's own limit
 * (process_commit_limit); PG_OK, PG_ENOMEM when memory would run out, or
 * PG_ELIMIT when p would pass its limit. mem_uncommit gives them back. */
int mem_commit(struct process *p, uint64_t pages);
void mem_uncommit(struct process *p, uint64_t pages);
/* Page rights a region grants for a page that is (or is not) exclusive. */
uint32_t mem_rights(uint32_t prot, int exclusive);

/* ---- stats.c ---- */
void stats_print(void);
void stats_reply(uint64_t group, struct ipc_msg *reply);

#endif
