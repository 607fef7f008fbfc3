/*
 * Fault reflection: what the kernel sends to a thread's pager endpoint
 * when the thread faults, and what the pager answers.
 *
 * Fault message (kernel -> pager, delivered like a call from the thread):
 *   badge = badge of the pager handle given at thread creation
 *   tag   = FAULT_PAGE for #PF, FAULT_EXCEPTION for any other exception
 *   w0    = fault address (CR2) for #PF, 0 otherwise
 *   w1    = error code (for #PF: FAULT_ERR_* bits)
 *   w2    = instruction pointer
 *   w3    = vector
 * The faulting thread stays blocked until the pager replies:
 *   FAULT_RESUME               retry the instruction
 *   FAULT_RESUME | TAG_MAP     map first, then retry: w0 = source address
 *                              in the pager's space, w1 = destination in the
 *                              faulter's space, w2 = MAP_ITEM(pages, rights)
 *   FAULT_KILL                 the kernel kills the thread and prints the
 *                              diagnostics box; w0 = reason (FAULT_REASON_*)
 * A thread whose pager handle is missing or dead is killed with the box.
 * The kernel's own messages (faults, death notices) carry TAG_KERNEL,
 * which no task can send: a pager checks it before trusting one.
 */
#ifndef IPC_FAULT_H
#define IPC_FAULT_H

#include <ipc/abi.h>

#define FAULT_PAGE       0xfa01u
#define FAULT_EXCEPTION  0xfa02u

#define FAULT_RESUME     0xfa10u
#define FAULT_KILL       0xfa11u

/* Death notice (kernel -> a space's pager, with TAG_KERNEL, the badge of
 * the space's pager handle, no reply wanted): the last thread of the
 * space is gone, and not because its space was destroyed (its pager knows
 * about that). w0 = DEATH_EXITED (w1 = the status its last thread gave
 * SYS_EXIT) or DEATH_KILLED (the kernel killed it: a fault nobody
 * resolved, or its threads were destroyed). */
#define DEATH_NOTICE     0xfa20u
#define DEATH_EXITED     0u
#define DEATH_KILLED     1u

/* Whether a message came from the kernel (a fault or a death notice a
 * pager may act on), not from a task that used the same label. */
static inline int msg_from_kernel(uint64_t tag) { return (tag & TAG_KERNEL) != 0; }

/* #PF error-code bits as the CPU reports them. */
#define FAULT_ERR_PRESENT  (1u << 0)
#define FAULT_ERR_WRITE    (1u << 1)
#define FAULT_ERR_USER     (1u << 2)
#define FAULT_ERR_RESERVED (1u << 3)
#define FAULT_ERR_FETCH    (1u << 4)

/* Map item word: page count (1..MAP_MAX_PAGES) and PAGE_* rights. */
#define MAP_ITEM(pages, rights) (((uint64_t)(pages) << 8) | ((rights) & PAGE_RIGHTS))
#define MAP_ITEM_PAGES(w)       ((w) >> 8)
#define MAP_ITEM_RIGHTS(w)      ((uint32_t)(w) & PAGE_RIGHTS)
/* The whole rights byte, as the kernel checks it: bits above PAGE_RIGHTS
 * make the item invalid (IPC_EINVAL), as they do for SYS_MAP. */
#define MAP_ITEM_RIGHTS_FIELD(w) ((uint32_t)(w) & 0xffu)

/* Why a pager killed a thread; printed in the box. */
enum {
    FAULT_REASON_NONE = 0,
    FAULT_REASON_INVALID_ADDRESS = 1,   /* outside every region */
    FAULT_REASON_PROTECTION = 2,        /* write to read-only, fetch from NX */
    FAULT_REASON_OUT_OF_MEMORY = 3,
    FAULT_REASON_EXCEPTION = 4,         /* #GP, #UD, #DE, ... */
    FAULT_REASON_COUNT
};

#endif
