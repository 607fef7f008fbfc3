/* The event trace; see trace.h and ipc/trace.h. */
#include <arch/apic.h>
#include <arch/io.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <ipc/cmdline.h>
#include <kernel/boot.h>
#include <kernel/fastpath.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/trace.h>

/* 4 Mi events (192 MiB) at most; the buffer may also take at most a
 * quarter of the memory (boot_add_memory). */
#define TRACE_EVENTS_MAX (1ull << 22)

bool trace_on;
static struct trace_record *records, *next, *end;
static uint64_t capacity, dropped;

static uint64_t frames_wanted;

uint64_t trace_configure(const char *cmdline)
{
    char v[24];
    if (!cmdline_get(cmdline, "trace", v, sizeof(v)))
        return 0;
    uint64_t n = 0;
    if (!cmdline_number(v, TRACE_EVENTS_MAX, &n) || n == 0) {
        kprintf("kernel: trace=%s: not a number of events from 1 to %lu; tracing stays off\n",
                v, (unsigned long)TRACE_EVENTS_MAX);
        return 0;
    }
    capacity = n;
    frames_wanted = (n * sizeof(struct trace_record) + FRAME_SIZE - 1) / FRAME_SIZE;
    return frames_wanted * FRAME_SIZE;
}

void trace_start(void)
{
    if (!frames_wanted)
        return;
    uint64_t pa = frames_take_run(&kernel_frames, frames_wanted);
    if (!pa) {
        kprintf("kernel: trace=%lu needs %lu KiB in one piece, more than a quarter of the "
                "memory or than one free range holds; tracing stays off\n", capacity,
                frames_wanted * 4);
        return;
    }
    records = next = phys_to_virt(pa);
    end = records + capacity;
    uint64_t n = capacity, frames = frames_wanted;
    trace_on = true;
    fastpath_choose();
    kprintf("kernel: trace on: up to %lu events (%lu KiB), written to port 0x%x at the end\n", n,
            frames * 4, TRACE_PORT);
}

/* Every event pays for this while tracing: it measures the trace's own
 * cost into the spans it records (docs/tracing.md), so it stays short. */
void trace_emit(uint32_t what, const struct thread *t, uint64_t peer, uint64_t w0, uint64_t w1,
                uint64_t w2)
{
    struct trace_record *r = next;
    if (unlikely(r == end)) {
        dropped++;
        return;
    }
    next = r + 1;
    uint64_t tsc = rdtsc();
    uint64_t thread = 0, space = 0;
    if (t) {
        thread = (uint32_t)t->id;
        if (t->state != TS_DEAD)      /* a dead thread's space may be gone */
            space = (uint32_t)t->space->id;
    }
    r->tsc = tsc;
    /* event, cpu, flags and thread in one store; space and peer in one */
    uint64_t cpu = PERCPU(unsigned, CPU_INDEX) & 0xff;
    __builtin_memcpy(&r->event, &(uint64_t){ (what & 0xffff00ffu) | cpu << 8 | thread << 32 }, 8);
    __builtin_memcpy(&r->space, &(uint64_t){ space | (uint64_t)(uint32_t)peer << 32 }, 8);
    r->words[0] = w0;
    r->words[1] = w1;
    r->words[2] = w2;
}

void trace_switch(const struct thread *from, const struct thread *to)
{
    if (from != to)
        trace_emit(TRACE_SWITCH, from, to ? to->id : 0, to ? to->space->id : 0, 0, 0);
}

void trace_text(const char *s, uint64_t *w0, uint64_t *w1)
{
    char b[16] = { 0 };
    for (unsigned i = 0; i < sizeof(b) && s[i]; i++)
        b[i] = s[i];
    __builtin_memcpy(w0, b, 8);
    __builtin_memcpy(w1, b + 8, 8);
}

static void out_bytes(const void *p, uint64_t n)
{
    __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(TRACE_PORT) : "memory");
}

void trace_dump(void)
{
    if (!trace_on)
        return;
    trace_on = false;                 /* what follows is not part of the run */
    struct trace_header h = {
        .magic = TRACE_MAGIC,
        .version = TRACE_VERSION,
        .record_size = sizeof(struct trace_record),
        .count = (uint64_t)(next - records),
        .dropped = dropped,
        .tsc_per_tick = apic_tsc_per_tick,
        .cpus = smp_cpus,
    };
    kprintf("kernel: trace: %lu events to port 0x%x", h.count, TRACE_PORT);
    if (dropped)
        kprintf(", %lu more dropped (the buffer was full: trace=N sets its size)", dropped);
    kprintf("\n");
    out_bytes(&h, sizeof(h));
    out_bytes(records, h.count * sizeof(struct trace_record));
}
