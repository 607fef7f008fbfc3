/*
 * The kernel's event trace (record format: libipc's ipc/trace.h; how to
 * use it: docs/tracing.md). Off unless the command line says trace=N.
 *
 * Off, it must cost the IPC fastpath nothing: the fastpath is compiled
 * twice (fastpath.c, fastpath_traced.c) and the traced copy is the one
 * called only when tracing is on. Everywhere else an event costs one test
 * of trace_on: TRACE() below.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <ipc/trace.h>
#include <kernel/lib.h>
#include <stdbool.h>
#include <stdint.h>

struct thread;

extern bool trace_on;

/* Reads trace=N from the command line: the bytes its buffer needs (0:
 * tracing stays off). Then, once those bytes are in the kernel's pool
 * (boot_add_memory), trace_start takes them out and turns tracing on;
 * each prints what it did. Both before the first thread runs. */
uint64_t trace_configure(const char *cmdline);
void trace_start(void);

/* Records one event as done by thread t (NULL: none, the idle loop);
 * what = event | flags << 16 (six arguments: all in registers). */
void trace_emit(uint32_t what, const struct thread *t, uint64_t peer, uint64_t w0, uint64_t w1,
                uint64_t w2);
#define TRACE_WHAT(event, flags) ((uint32_t)(event) | (uint32_t)(flags) << 16)

/* The CPU goes from thread `from` to `to` (either NULL: the idle loop):
 * a SWITCH event unless they are the same. */
void trace_switch(const struct thread *from, const struct thread *to);

/* The run ends: the header and every record to TRACE_PORT. */
void trace_dump(void);

/* Up to 16 bytes of a string, as two record words. */
void trace_text(const char *s, uint64_t *w0, uint64_t *w1);

#define TRACE(event, t, flags, peer, w0, w1, w2)                               \
    do {                                                                       \
        if (unlikely(trace_on))                                                \
            trace_emit(TRACE_WHAT(event, flags), (t), (peer), (w0), (w1), (w2)); \
    } while (0)

#endif
