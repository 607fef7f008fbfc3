/* What the attack programs share (attack.c holds the functions).
 *
 * They page spaces they made, so the kernel tells them when such a space's
 * last thread is gone (DEATH_NOTICE); the attacks wait for other messages
 * and pass over those.
 *
 * A "vm" is a space S running our own code: our text (read+exec) and
 * rodata (read) at their addresses, one stack page of ours at STACK_VA
 * whose top ARGS_OFF bytes hold the thread's arguments, its faults going
 * to an endpoint of ours that is also granted into it (send).
 *
 * An attack runs twice (attack_twice); the second run is measured (steady
 * state: the first builds the pager's and the kernel's lazily made tables
 * for the addresses involved, which stay): mapping nodes, kernel objects,
 * pager frames and kernel frames must be back exactly where they were. */
#ifndef ATTACK_H
#define ATTACK_H

#include "../utest/utest.h"
#include <ipc/fault.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

extern char __image_start[], __text_end[], __rodata_end[];

#define PAGE       4096ull
#define STACK_VA   0x00005ffffffff000ul   /* the stack page of a vm's thread */
#define ARGS_OFF   (PAGE - 256)            /* its arguments, at the top of that page */
#define PRIO       10                      /* a pager-started process's priority */

/* st is what a receive on ep gave; receives again while it was a death
 * notice from the kernel. */
static inline struct ipc_status skip_notices(handle_t ep, struct ipc_msg *m,
                                             struct ipc_status st)
{
    while (!st.status && tag_label(m->tag) == DEATH_NOTICE && msg_from_kernel(m->tag))
        st = sys_recv(ep, m);
    return st;
}

/* A receive on ep that passes over death notices. */
static inline struct ipc_status recv_report(handle_t ep, struct ipc_msg *m)
{
    return skip_notices(ep, m, sys_recv(ep, m));
}

/* 1 on the first run, 2 on the measured second one. */
extern int round_no;

/* "TEST name fail ..." (marked as the second run's), returns 1. */
int fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "TEST name pass" on the first run only, returns 0. */
int pass(const char *name);

/* Read and write rights only: without NX every page also reads as exec.
 * 0xff if the call itself failed. */
uint32_t rw_rights(handle_t space, uint64_t va);
/* Makes sure every page of our image is mapped (the pager maps lazily),
 * so that sys_map finds the sources present. */
void touch_image(void);
/* A private anonymous page, written (so mapped read+write), or 0. */
uint64_t page_new(uint64_t value);
/* The pager's page fault count, ~0 if it cannot be had. */
uint64_t page_faults(void);

/* Destroys and closes a space / an endpoint, if there is one. */
void space_drop(handle_t s);
void endpoint_drop(handle_t ep);

struct vm {
    handle_t space, thread, ep_in;      /* ep_in: the endpoint, in S's table */
    uint64_t stack;                     /* our page that is S's stack page */
};

/* Builds v (see the top), its faults going to ep. 0, or -step that failed. */
int vm_build(struct vm *v, handle_t ep);
/* Where in our mapping of v's stack page its thread's arguments go. */
void *vm_args(struct vm *v);
/* A thread in v running fn(args); a space runs one at a time here, so the
 * handle of an earlier one (done by now, or about to be) is dropped. */
int vm_thread(struct vm *v, void (*fn)(void *));
/* S destroyed (its threads die, its mappings go), handles and stack gone. */
void vm_destroy(struct vm *v);

/* What the attacks count: kernel objects and mapping nodes, the pager's
 * free frames and processes, the kernel pool's free frames, and the frames
 * charged to our kernel-memory account. counts_take ends the program when
 * the pager gives no statistics (utest_pager_stats). */
struct counts {
    uint64_t mappings, objects, frames_free, processes, kernel_free, kmem_used;
};
void counts_take(struct counts *c);

/* A canary beside an attacker: a child of ours that maps and touches 16
 * pages, forks a grandchild that writes them all (copy-on-write) and exits
 * 7, checks its own pages are untouched and exits 42. Pager frames and
 * processes, kernel objects and mappings must be exactly back. 0, or
 * fail(name, ...). */
int canary_process(const char *name);

/* Runs attack twice (round_no 1, then 2), prints "prog: ..." with both
 * runs' accounts, and checks the second run's as test leak_test. Exit
 * status: 0 only if everything passed. */
int attack_twice(const char *prog, const char *leak_test, int (*attack)(void));

#endif
