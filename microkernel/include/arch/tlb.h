/*
 * TLB shootdown. A CPU caches translations of the space it has loaded
 * (struct cpu's `loaded`, kept while it idles); when entries of a space
 * lose rights or go, every other CPU that has that space loaded must
 * flush before the change is relied on. The CPU that changed them holds
 * the kernel lock, sends each such CPU an IPI and waits until each has
 * flushed: in its IPI handler (it ran user code or idled) or in its wait
 * for the lock (it was entering the kernel). So a change is complete on
 * every CPU when the system call that made it returns.
 *
 * Kernel mappings that go (the mapping database's shadow pages) are
 * global entries, used only under the lock: each CPU flushes them the
 * next time it takes the lock (a generation count), no IPI needed.
 *
 * With one CPU these do nothing but the generation count.
 */
#ifndef ARCH_TLB_H
#define ARCH_TLB_H

#include <stdbool.h>

struct space;

/* Every other CPU with s loaded (any space: s NULL) flushes its TLB; with
 * `leave`, one with s loaded loads the kernel's own tables instead (s is
 * going: its tables are about to be freed). Returns when all have. */
void tlb_shootdown(struct space *s, bool leave);

/* This CPU does what was asked of it, if anything (IPI handler, lock wait). */
void tlb_serve(void);

/* A kernel mapping went (after its local invlpg). */
void tlb_kernel_changed(void);
/* This CPU drops kernel entries older than the last change (bkl_acquire). */
void tlb_kernel_sync(void);

#endif
