/*
 * The synthetic trace behind `tracetool synth` (a hidden subcommand, for
 * test/tools/trace_tool_check.sh) and the unit tests: a short run whose
 * every round trip is known, so the expected output can be written down.
 *
 *   space 1 "pager" (thread 2) and space 3 "bench" (thread 5), one CPU;
 *   t5: page fault at 0x1234000, answered with a map     (n=0)
 *   t5: calls t2 with label 0x42, answered
 *   t5: write fault at 0x2000000 (a COW), answered with a map (n=1)
 *   t5: #GP, the pager answers FAULT_KILL, the task dies (n=2)
 */
#include "tracetool.h"

#include <ipc/fault.h>

#include <string.h>

static uint64_t name_word(const char *s, unsigned part)
{
    uint64_t w = 0;
    size_t len = strlen(s);
    for (unsigned i = 0; i < 8; i++) {
        size_t k = part * 8 + i;
        if (k < len)
            w |= (uint64_t)(unsigned char)s[k] << (8 * i);
    }
    return w;
}

static size_t n_out;
static struct trace_record *out_v;

static void rec(uint64_t tsc, enum trace_event ev, uint32_t thread, uint32_t space,
                uint32_t peer, uint16_t flags, uint64_t w0, uint64_t w1, uint64_t w2)
{
    if (n_out < SYNTH_MAX)
        out_v[n_out++] = (struct trace_record){
            .tsc = tsc, .event = (uint8_t)ev, .cpu = 0, .flags = flags,
            .thread = thread, .space = space, .peer = peer, .words = {w0, w1, w2}};
}

/* One fault answered with a one-page map from the pager's 0x40000000 + k. */
static void fault_rt(uint64_t t, uint64_t addr, uint64_t err, uint64_t handle, uint64_t src)
{
    rec(t, TRACE_FAULT, 5, 3, 0, 14, addr, err, 0x1000123);
    rec(t + 30, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0);
    rec(t + 50, TRACE_RECV, 2, 1, 5, 0, FAULT_PAGE | TAG_KERNEL, 0x11, addr);
    rec(t + 50 + handle, TRACE_REPLY, 2, 1, 5, 0, FAULT_RESUME | TAG_MAP, src, addr);
    rec(t + 60 + handle, TRACE_MAP, 2, 1, 0, PAGE_READ | PAGE_WRITE, src, addr,
        1 | (uint64_t)3 << 32);
    rec(t + 100 + handle, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0);
}

size_t synth_records(struct trace_record *out)
{
    n_out = 0;
    out_v = out;
    rec(1000, TRACE_SPACE, 0, 0, 0, 0, name_word("pager", 0), name_word("pager", 1), 1);
    rec(1010, TRACE_SPACE, 2, 1, 0, 0, name_word("bench", 0), name_word("bench", 1), 3);
    rec(1020, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0);
    fault_rt(1100, 0x1234000, FAULT_ERR_USER, 250, 0x40000000);
    /* A call, straight to the waiting pager thread. */
    rec(1600, TRACE_CALL, 5, 3, 2, 0, 0x42, 0, 7);
    rec(1620, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0);
    rec(1630, TRACE_RECV, 2, 1, 5, 0, 0x42, 0x9, 7);
    rec(1700, TRACE_REPLY, 2, 1, 5, 0, 0, 8, 0);
    rec(1720, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0);
    /* A write to a present read-only page: copy on write. */
    fault_rt(1800, 0x2000000, FAULT_ERR_USER | FAULT_ERR_WRITE | FAULT_ERR_PRESENT, 450,
             0x40001000);
    /* A #GP the pager answers with FAULT_KILL: no resume. */
    rec(2500, TRACE_FAULT, 5, 3, 0, 13, 0, 0, 0x1000200);
    rec(2520, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0);
    rec(2540, TRACE_RECV, 2, 1, 5, 0, FAULT_EXCEPTION | TAG_KERNEL, 0x11, 0);
    rec(2600, TRACE_REPLY, 2, 1, 5, 0, FAULT_KILL, FAULT_REASON_EXCEPTION, 0);
    rec(2610, TRACE_KILL, 2, 1, 5, 0, name_word("exception", 0), name_word("exception", 1), 3);
    rec(2620, TRACE_THREAD_END, 2, 1, 5, 0, 3, 0xff, 0);
    rec(2630, TRACE_DEATH_NOTICE, 2, 1, 0, 0, 3, DEATH_KILLED, 0xff);
    rec(2640, TRACE_UNMAP, 2, 1, 0, 0, 0x1234000, 1, 3);
    /* The pager's own memory operations: one that revoked 2 mappings
     * derived from it elsewhere, a rights reduction, a send, a waiter
     * cancelled. */
    rec(2650, TRACE_UNMAP, 2, 1, 0, 0, 0x40000000, 4, 1);
    rec(2655, TRACE_REVOKE, 2, 1, 0, 0, 0x40000000, 2, 1);
    rec(2660, TRACE_PROTECT, 2, 1, 0, 1, 0x40001000, 1, 1);
    rec(2670, TRACE_SEND, 2, 1, 0, 0, 0x43, 0, 0);
    rec(2680, TRACE_ABORT, 2, 1, 6, 0, 0xffffffffffffffedull, 3, 0);
    rec(2700, TRACE_SWITCH, 2, 1, 0, 0, 0, 0, 0);
    return n_out;
}
