/*
 * The kernel's event trace: what the kernel writes and the host tool
 * (tools/trace) reads. docs/tracing.md shows what it looks like.
 *
 * With `trace=N` on the kernel command line the kernel records up to N
 * events in memory from boot on (further events are counted as dropped)
 * and, when the run ends (machine_exit: clean end, test failure, panic,
 * idle=exit), writes one trace_header followed by `count` trace_records,
 * little-endian, byte by byte to I/O port TRACE_PORT. QEMU's isa-debugcon
 * device on that port (scripts/run-ovmf.sh --trace) puts the bytes in a
 * file; without the device the writes go nowhere.
 *
 * Every record names the thread that was running when it happened (and
 * its space): the sender of a call, the receiver of a message, the
 * replier of a reply, the thread that faulted, the thread switched away
 * from. `peer` is the other thread (0: none, e.g. the idle loop). Ids are
 * the kernel's thread and space ids (KINFO-visible, never reused in a
 * run). Timestamps are rdtsc: under QEMU -icount, guest instructions.
 */
#ifndef IPC_TRACE_H
#define IPC_TRACE_H

#include <stdint.h>

#define TRACE_PORT     0xe9
#define TRACE_MAGIC    0x45435254u      /* "TRCE" little-endian */
#define TRACE_VERSION  1
#define TRACE_NAME_MAX 16               /* a space's name, NUL-padded */

enum trace_event {
    /* words: tag, badge, w0 (the first data word). peer: the receiver
     * when the message went straight to one, else 0 (queued). */
    TRACE_CALL = 1,
    TRACE_SEND = 2,
    /* A message arrives: peer = sender (0 for a death notice); words: tag,
     * badge, w0 (for a fault message: the fault address). */
    TRACE_RECV = 3,
    /* A reply: peer = the caller; words: tag, w0, w1 (a fault reply
     * resuming with a map item: tag, source, destination). */
    TRACE_REPLY = 4,
    /* A thread faulted: words: address (CR2 for #PF, else 0), error code,
     * instruction pointer; flags = vector. */
    TRACE_FAULT = 5,
    /* The CPU goes from the record's thread to peer (0: idle); words:
     * peer's space id. */
    TRACE_SWITCH = 6,
    /* A task dies: peer = the thread that took it down (the faulter, or
     * the thread ended); words: the first 16 bytes of the reason, the
     * killed space's id. */
    TRACE_KILL = 7,
    /* One thread ended: peer = it; words: its space id, the status its
     * partners get. */
    TRACE_THREAD_END = 8,
    /* A death notice for space words[0] (how words[1], status words[2])
     * was posted to its pager: peer = the receiver it went to at once, 0
     * when it waits in the endpoint's queue. */
    TRACE_DEATH_NOTICE = 9,
    /* Memory operations, by the record's thread. flags = rights
     * (PAGE_*). MAP: words: source address, destination address,
     * pages | destination space id << 32. UNMAP / PROTECT: words: address,
     * pages, space id. */
    TRACE_MAP = 10,
    TRACE_UNMAP = 11,
    TRACE_PROTECT = 12,
    /* Mappings derived from the ones an UNMAP (or a MAP replacing
     * mappings) just removed went with them, in whatever spaces held
     * them: words: the operation's address, how many went, its space id. */
    TRACE_REVOKE = 13,
    /* Space words[2] was created; words[0..1]: its name (NUL-padded,
     * empty when its creator gave none). */
    TRACE_SPACE = 14,
    /* A waiting thread resumes without its message: a call cancelled (its
     * server took another message or died, its saved reply was dropped),
     * a wait on an endpoint destroyed, a thread stopped. peer = it; words:
     * the status it gets (0 for a fault it will simply retry), the state
     * it waited in (THREAD_BLOCKED_*). */
    TRACE_ABORT = 15,
    TRACE_EVENT_COUNT
};

struct trace_record {
    uint64_t tsc;
    uint8_t  event;         /* enum trace_event */
    uint8_t  cpu;
    uint16_t flags;
    uint32_t thread;        /* running thread (0: the kernel, no thread) */
    uint32_t space;         /* its space */
    uint32_t peer;
    uint64_t words[3];
};

struct trace_header {
    uint32_t magic;         /* TRACE_MAGIC */
    uint16_t version;       /* TRACE_VERSION */
    uint16_t record_size;   /* sizeof(struct trace_record) */
    uint64_t count;         /* records that follow */
    uint64_t dropped;       /* events after the buffer filled */
    uint64_t tsc_per_tick;  /* KINFO_TSC_PER_TICK: the timer's period */
    uint64_t cpus;          /* CPUs running */
    uint64_t reserved[3];
};

_Static_assert(sizeof(struct trace_record) == 48, "trace record layout");
_Static_assert(sizeof(struct trace_header) == 64, "trace header layout");

#endif
