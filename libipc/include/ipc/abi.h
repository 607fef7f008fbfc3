/*
 * The kernel/user ABI: system call numbers, error codes, rights, the IPC
 * message tag. Included by the kernel and by every user program; nothing
 * here may depend on either side.
 *
 * Calling convention (x86-64 `syscall`):
 *   in:  rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments
 *   out: rax = status (IPC_OK or an IPC_E* error); the results of
 *        object calls in rdx; IPC results in rdi (badge), rsi (tag) and
 *        rdx, r10, r8, r9 (message words w0..w3).
 *   rcx and r11 are clobbered by the instruction itself. Calls numbered
 *   below SYS_FIRST_SWITCHING never switch threads; they preserve the
 *   registers the SysV ABI calls callee-saved (rbx, rbp, rsp, r12-r15)
 *   and may clobber the others. The IPC and scheduling calls
 *   (SYS_FIRST_SWITCHING and up) preserve every register that does not
 *   carry a result.
 */
#ifndef IPC_ABI_H
#define IPC_ABI_H

#include <stdint.h>

/* ---- system call numbers ---------------------------------------------- */
enum {
    /* Never switch threads: a light entry path. */
    SYS_NULL            = 0,   /* does nothing: the cheapest round trip */
    SYS_DEBUG_PUTS      = 1,   /* (const char *s, len): print on the console */
    SYS_HANDLE_CLOSE    = 2,   /* (h) */
    SYS_HANDLE_GRANT    = 3,   /* (space h, h, rights, badge) -> handle in that space */
    SYS_SPACE_CREATE    = 4,   /* (name: 16 bytes in 2 words) -> space handle */
    SYS_ENDPOINT_CREATE = 5,   /* () -> endpoint handle */
    SYS_THREAD_CREATE   = 6,   /* (space h, entry, stack, priority, arg) -> thread h */
    SYS_MAP             = 7,   /* (space h, src, dst, pages, rights) */
    SYS_UNMAP           = 8,   /* (space h, addr, pages) */
    SYS_PROTECT         = 9,   /* (space h, addr, pages, rights) */
    SYS_KERNEL_INFO     = 10,  /* (what) -> value, see KINFO_* */
    SYS_THREAD_STATE    = 11,  /* (thread h) -> THREAD_* state */
    SYS_REPLY_SAVE      = 12,  /* () -> reply h: answer the current caller later */
    SYS_SPACE_SET_PAGER = 13,  /* (space h, ep h or 0): where the space's faults go */
    SYS_MAP_RIGHTS      = 14,  /* (space h, va) -> PAGE_* rights of the mapping there, 0: none */
    SYS_SPACE_LIMIT     = 15,  /* (space h, frames, under space h or 0) -> 1 own account, 0 shared */
    SYS_LIGHT_COUNT,

    /* May switch threads: full register save. */
    SYS_FIRST_SWITCHING = 16,
    SYS_YIELD           = 16,  /* () */
    SYS_CALL            = 17,  /* (ep h, tag, w0..w3) -> reply */
    SYS_REPLY_RECV      = 18,  /* (ep h, tag, w0..w3): reply, then wait on ep */
    SYS_SEND            = 19,  /* (ep h, tag, w0..w3) */
    SYS_RECV            = 20,  /* (ep h) -> message */
    SYS_EXIT            = 21,  /* (status): the calling thread ends */
    SYS_THREAD_START    = 22,  /* (thread h) */
    SYS_THREAD_STOP     = 23,  /* (thread h) */
    SYS_THREAD_DESTROY  = 24,  /* (thread h) */
    SYS_SPACE_DESTROY   = 25,  /* (space h): its threads die, its tables go */
    SYS_ENDPOINT_DESTROY = 26, /* (ep h): waiters get IPC_EDEAD */
    SYS_REPLY           = 27,  /* (-, tag, w0..w3): answer the caller, go on */
    SYS_REPLY_SAVED     = 28,  /* (reply h, tag, w0..w3): answer a saved reply */
    SYS_THREAD_PIN      = 29,  /* (thread h or 0: the caller, cpu): it runs on CPU cpu */
    SYS_COUNT
};

/* ---- status codes (rax) ----------------------------------------------- */
enum {
    IPC_OK          = 0,
    IPC_ENOSYS      = 1,   /* no such system call */
    IPC_EHANDLE     = 2,   /* handle out of range or empty */
    IPC_ETYPE       = 3,   /* handle names the wrong kind of object */
    IPC_ERIGHTS     = 4,   /* handle lacks a right the call needs */
    IPC_EINVAL      = 5,   /* bad argument value */
    IPC_EADDR       = 6,   /* bad user address: kernel half, non-canonical,
                              unaligned, unmapped, or without the access */
    IPC_ENOMEM      = 7,   /* kernel memory exhausted */
    IPC_ENOHANDLES  = 8,   /* handle table full */
    IPC_EDEAD       = 9,   /* object destroyed, or IPC partner died */
    IPC_ESTATE      = 10,  /* object in the wrong state for the call */
    IPC_ENOREPLY    = 11,  /* SYS_REPLY / SYS_REPLY_SAVE with no caller
                              owed: nothing was sent, nothing received.
                              (SYS_REPLY_RECV owing nobody just receives;
                              its status is the receive's.) */
    IPC_ECANCELED   = 12,  /* the thread was stopped while blocked in IPC */
    IPC_STATUS_COUNT
};

/* What a light call gives back: the status in rax and a value in rdx. The
 * kernel's handlers return it as a C struct (two words come back in rax
 * and rdx), and the user stubs read it so. */
struct sys_ret {
    uint64_t status, value;
};
_Static_assert(sizeof(struct sys_ret) == 16, "two registers");

/* ---- rights on a handle ------------------------------------------------ */
#define RIGHT_SEND     (1u << 0)   /* endpoint: send / call */
#define RIGHT_RECV     (1u << 1)   /* endpoint: recv / reply_recv */
#define RIGHT_MAP      (1u << 2)   /* space: map / unmap / protect */
#define RIGHT_THREAD   (1u << 3)   /* space: create threads in it */
#define RIGHT_CONTROL  (1u << 4)   /* thread: start / stop */
#define RIGHT_DESTROY  (1u << 5)   /* any: destroy the object */
#define RIGHT_GRANT    (1u << 6)   /* any: grant copies of this handle */
#define RIGHTS_ALL     0x7fu
/* (A saved reply handle needs no right beyond existing; it works once.) */

/* Page rights for SYS_MAP / SYS_PROTECT and map items. */
#define PAGE_READ      (1u << 0)
#define PAGE_WRITE     (1u << 1)
#define PAGE_EXEC      (1u << 2)
#define PAGE_RIGHTS    7u

/* The end of what may be mapped in a user space. The last page below the
 * user half's end (0x800000000000) stays empty in every space: code there
 * could run `syscall` as its last instruction, and the return address,
 * 0x800000000000, is not canonical: sysret on Intel CPUs then faults in
 * ring 0 on the user's stack (CVE-2012-0217). Linux keeps the same page
 * empty for the same reason. */
#define USER_MAP_TOP   0x00007ffffffff000ull

/* Most pages one SYS_MAP / UNMAP / PROTECT may touch. */
#define MAP_MAX_PAGES  1024u

/* ---- IPC message tag ---------------------------------------------------
 * A tag carries a label (what the message means, user-defined, or one of
 * the fault labels in ipc/fault.h) and flags. */
#define TAG_LABEL_MASK 0x0000ffffffffffffull
#define TAG_MAP        (1ull << 48)   /* reply carries a map item (fault.h) */
/* A send or call carries a handle: w3 names one of the sender's (it needs
 * RIGHT_GRANT); the receiver gets a copy in its own table, same rights and
 * badge, and finds its number in w3 (0 if its table was full). */
#define TAG_GRANT      (1ull << 49)
/* Set by the kernel alone, on the messages it sends itself (fault
 * messages, death notices; ipc/fault.h): a receiver can trust a message
 * that carries it. A send or call whose tag has it, or any other bit above
 * TAG_GRANT, is refused with IPC_EINVAL. */
#define TAG_KERNEL     (1ull << 50)
#define TAG_USER_BITS  (TAG_LABEL_MASK | TAG_MAP | TAG_GRANT)

static inline uint64_t tag_label(uint64_t tag) { return tag & TAG_LABEL_MASK; }

/* ---- handles ----------------------------------------------------------- */
typedef uint64_t handle_t;
#define HANDLE_NONE        0ull
#define HANDLE_MAX         8192u       /* per address space */
/* The root task starts with these handles (all rights). */
#define HANDLE_ROOT_SPACE  1ull
#define HANDLE_ROOT_THREAD 2ull

/* ---- kernel info (SYS_KERNEL_INFO) ------------------------------------ */
enum {
    KINFO_FREE_FRAMES = 0,   /* kernel pool frames free */
    KINFO_TOTAL_FRAMES = 1,  /* kernel pool frames in all */
    KINFO_OBJECTS = 2,       /* live kernel objects (spaces + threads +
                                endpoints + saved replies; accounts are
                                not objects: they show in KINFO_KMEM_USED) */
    KINFO_TICKS = 3,         /* timer interrupts so far */
    KINFO_TSC_PER_TICK = 4,  /* calibration: TSC counts per timer tick */
    KINFO_MAPPINGS = 5,      /* live nodes of the mapping database */
    /* The caller's kernel-memory account (SYS_SPACE_LIMIT): frames charged
     * to it and to the accounts under it, and its limit. */
    KINFO_KMEM_USED = 6,
    KINFO_KMEM_LIMIT = 7,
    KINFO_KMEM_RESERVE = 8,  /* pool frames only the root task may take */
    /* Timer ticks charged to the calling thread: those it ran and those
     * servers ran working for it (time donation, kernel/sched.h). */
    KINFO_THREAD_TICKS = 9,
    KINFO_CPUS = 10,         /* CPUs that run threads (SYS_THREAD_PIN's 0 .. n-1) */
    KINFO_CPU = 11,          /* the CPU the calling thread runs on */
};

#define PRIORITY_COUNT   16    /* 0 lowest .. 15 highest */

/* Thread states (SYS_THREAD_STATE); a dead thread's handle gives IPC_EDEAD. */
enum {
    THREAD_INACTIVE = 0,       /* created or stopped */
    THREAD_READY = 1,
    THREAD_RUNNING = 2,
    THREAD_BLOCKED_SEND = 3,   /* waiting for a receiver (send, call, fault) */
    THREAD_BLOCKED_RECV = 4,
    THREAD_BLOCKED_REPLY = 5,  /* its call (or fault) was taken, no reply yet */
};

#endif
