/*
 * The pager protocol: what a process asks of its pager, over IPC on the
 * endpoint at handle PAGER_HANDLE (the pager grants it, badged with the
 * pid, as the first handle of every process it starts). Page faults reach
 * the same endpoint as fault messages (ipc/fault.h).
 *
 * Request: tag label = PG_*, arguments in w0..w3.
 * Reply:   w0 = PG_OK or a PG_E* status, results in w1..w3.
 *
 *   PG_EXIT     w0 status                       (never answered)
 *   PG_FORK     w0 child rip, w1 child rsp      -> w1 child pid
 *   PG_WAIT     w0 pid (0: any child)           -> w1 pid, w2 exit status
 *   PG_GETPID                                   -> w1 pid, w2 parent pid
 *   PG_MMAP     w0 addr, w1 length, w2 PROT_*, w3 MAP_*  -> w1 address
 *   PG_MPROTECT w0 addr, w1 length, w2 PROT_*
 *   PG_MUNMAP   w0 addr, w1 length
 *   PG_STATS    w0 group (0..2)                 -> w1..w3, see below
 *   PG_SPAWN    w0..w2 module name, NUL-padded (<= 23 chars); with
 *               TAG_GRANT, w3 = a handle the child gets as CHILD_GIFT_HANDLE
 *                                               -> w1 pid
 *   PG_KILL     w0 pid (a child of the caller)
 *   PG_GETENV   w0..w2 key (<= 23 chars)        -> w1..w3 value of "key=value"
 *               on the kernel command line (<= 23 chars, NUL-padded)
 *   PG_INFO                                     -> w1 PG_FEATURE_* bits the
 *               pager offers, w2..w3 its name (<= 15 chars, NUL-padded)
 *   PG_MODULE   w0..w2 module name              -> w1 address, w2 size: the
 *               module's bytes mapped read-only (and executable) in the
 *               caller, where mmap would put them; munmap removes them.
 *               What a stacked pager (docs/writing-a-pager.md) loads its
 *               programs from.
 *
 * Statistics groups: 0 = page_faults, minor_faults, cow_faults_handled;
 * 1 = copies_performed, zero_fills, frames_free; 2 = frames_total,
 * live processes, pages committed (0 for a pager without commit).
 * PG_STATS with group PG_STATS_PRINT prints the
 * pager's "PAGER ..." line on the console.
 */
#ifndef IPC_PAGER_H
#define IPC_PAGER_H

#include <ipc/abi.h>
#include <ipc/fault.h>

#define PAGER_HANDLE 1ull
/* Also in every process: its own space, with RIGHT_THREAD only (threads
 * yes, mappings no: memory is the pager's business). */
#define SELF_SPACE_HANDLE 2ull
/* Where a spawned child finds the handle its parent gave it (PG_SPAWN). */
#define CHILD_GIFT_HANDLE 3ull

enum {
    PG_EXIT = 0x9001,
    PG_FORK,
    PG_WAIT,
    PG_GETPID,
    PG_MMAP,
    PG_MPROTECT,
    PG_MUNMAP,
    PG_STATS,
    PG_SPAWN,
    PG_KILL,
    PG_GETENV,
    PG_INFO,
    PG_MODULE,
};

/* What a pager offers (PG_INFO), so one conformance suite knows what to
 * ask of each (test/qemu/cases/conformance_*.sh). */
#define PG_FEATURE_FORK     (1u << 0)   /* PG_FORK works (copy-on-write or not) */
#define PG_FEATURE_COMMIT   (1u << 1)   /* strict commit: mmap fails with PG_ENOMEM
                                           before memory runs out, never a fault */
#define PG_FEATURE_LAZY     (1u << 2)   /* pages come at first touch (else at once) */
#define PG_FEATURE_MODULE   (1u << 3)   /* PG_MODULE works: it can host a stacked pager */
#define PG_FEATURE_STACKED  (1u << 4)   /* it runs under another pager, not as the root task */

enum {
    PG_OK = 0,
    PG_ENOMEM = 1,      /* no frames or no kernel memory left */
    PG_EINVAL = 2,      /* bad address, length, protection or flags */
    PG_ENOENT = 3,      /* no such module */
    PG_ECHILD = 4,      /* no such child */
    PG_ENOSYS = 5,      /* this pager does not offer the request */
    PG_ENOEXEC = 6,     /* the module is not a valid program */
    PG_ELIMIT = 7,      /* a per-process limit: too many live children, or more
                           memory than one process may commit */
};

#define PG_STATS_PRINT 0x100

#define PROT_NONE   0
#define PROT_READ   1
#define PROT_WRITE  2
#define PROT_EXEC   4

#define MAP_FIXED   0x10

/* Exit status of a process the pager killed for a fault: 0x80 | reason
 * (FAULT_REASON_*). A clean exit's status is what it passed, below 0x80. */
#define PG_STATUS_KILLED(reason) (0x80u | (reason))
/* The exit status a death notice (ipc/fault.h) gives: what the last thread
 * passed to SYS_EXIT, or killed. */
#define PG_STATUS_OF_DEATH(how, status) \
    ((how) == DEATH_EXITED ? (int)(status) : (int)PG_STATUS_KILLED(FAULT_REASON_NONE))

/* Where the pager puts a new process's stack (1 MiB, an unmapped guard page
 * below it) and where mmap without MAP_FIXED looks for room. */
#define PROCESS_STACK_TOP   0x00007ff000000000ull
#define PROCESS_STACK_SIZE  (1ull << 20)
#define MMAP_BASE           0x0000100000000000ull

#endif
