/*
 * The eager pager: an alternative root task that backs every page of a
 * process with a frame the moment the page comes into being (at spawn, at
 * mmap), so a fault is never expected and always fatal. No copy-on-write,
 * no fork. See docs/writing-a-pager.md.
 */
#ifndef EAGER_H
#define EAGER_H

#include <ipc/fault.h>
#include <ipc/kmem.h>
#include <ipc/pager.h>
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>
#include <ipc/waiters.h>

#define PAGE        4096ull
#define MAX_PROCS   64
#define MAX_REGIONS 32                /* per process */

/* Pages [va, va + pages * PAGE) of a process, backed by adjacent frames
 * from `frames` on (in our window). pages 0: a free slot. PROT_NONE: the
 * frames are kept, but not mapped. */
struct region {
    uint64_t va, pages, prot;
    uint8_t *frames;
};

enum { PROC_FREE = 0, PROC_LIVE, PROC_ZOMBIE };

struct process {
    uint64_t pid, parent;         /* parent 0: nobody will wait for it */
    int state, status;            /* status: exit status once a zombie */
    handle_t space, thread, ep;   /* ep: our badged endpoint, its pager */
    struct waiters waiters;       /* its threads blocked in wait() */
    uint64_t mmap_next;           /* where the next mmap without MAP_FIXED goes */
    uint64_t kmem_limit;          /* kernel-pool frames its account may hold */
    struct region regions[MAX_REGIONS];
};

/* main.c */
extern const struct root_info *root;
extern handle_t pager_ep;
extern uint64_t zero_fills, live_procs;
uint8_t *frame_alloc(uint64_t n);     /* n adjacent zeroed frames, or NULL */
void frame_free(uint8_t *f, uint64_t n);

/* process.c */
struct process *proc_live(uint64_t pid);
struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err);
void proc_exit(struct process *p, int status);
int proc_wait(struct process *p, uint64_t pid, struct ipc_msg *reply);
struct region *region_at(struct process *p, uint64_t va);
uint64_t mem_mmap(struct process *p, const uint64_t *w, uint64_t *addr);
uint64_t mem_change(struct process *p, const uint64_t *w, int drop);

#endif
