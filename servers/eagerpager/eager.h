/*
 * The eager pager: an alternative root task that backs every page of a
 * process with a frame the moment the page comes into being (at spawn, at
 * mmap), so a fault is never expected and always fatal. No copy-on-write,
 * no fork. See docs/writing-a-pager.md.
 */
#ifndef EAGER_H
#define EAGER_H

#include <ipc/fault.h>
#include <ipc/pager.h>
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

#define PAGE 4096ull

/* One page a process has: where, backed by which frame (its address in our
 * window), with which PROT_* (PROT_NONE: kept, but unmapped in the kernel). */
struct page_rec {
    uint64_t va;
    uint8_t *frame;
    uint64_t prot;
};

/* A frame full of page records. Only the first chunk of a list may be
 * partly used, so removing a record moves the first chunk's last one. */
#define RECS_PER_CHUNK ((PAGE - 16) / sizeof(struct page_rec))
struct rec_chunk {
    struct rec_chunk *next;
    uint64_t used;
    struct page_rec rec[RECS_PER_CHUNK];
};

enum { PROC_FREE = 0, PROC_LIVE, PROC_ZOMBIE };

struct process {
    uint64_t pid, parent;         /* parent 0: nobody will wait for it */
    int state, status;            /* status: exit status once a zombie */
    handle_t space, thread, ep;   /* ep: our badged endpoint, its pager */
    handle_t wait_reply;          /* saved reply of a wait in progress */
    uint64_t wait_for;            /* the pid it waits for, 0: any */
    uint64_t mmap_next;           /* where the next mmap without MAP_FIXED goes */
    struct rec_chunk *pages;
};

/* main.c */
extern const struct root_info *root;
extern handle_t pager_ep;
extern uint64_t frames_free, zero_fills;
void *frame_alloc(void);          /* a zeroed frame (window address) or NULL */
void frame_free(void *frame);

/* process.c */
struct process *proc_live(uint64_t pid);
uint64_t proc_count(void);
struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err);
void proc_exit(struct process *p, int status);
void proc_wait(struct process *p, uint64_t pid, struct ipc_msg *reply, int *answer);
uint64_t proc_kill(struct process *p, uint64_t pid);
struct page_rec *page_find(struct process *p, uint64_t va);
void mem_mmap(struct process *p, const uint64_t *w, struct ipc_msg *reply);
void mem_mprotect(struct process *p, const uint64_t *w, struct ipc_msg *reply);
void mem_munmap(struct process *p, const uint64_t *w, struct ipc_msg *reply);

#endif
