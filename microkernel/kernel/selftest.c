/* Kernel self-tests; see selftest.h. Each prints "TEST <name> pass|fail". */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/lib.h>
#include <kernel/selftest.h>

extern char __kernel_start[];

static int fail(const char *name, const char *why)
{
    kprintf("TEST %s fail %s\n", name, why);
    return -1;
}

/* A write to an unmapped low address: #PF, not present, write, kernel. */
static int kernel_pf(void)
{
    kprintf("selftest: writing to unmapped address 0x1000\n");
    *(volatile uint64_t *)0x1000 = 0x5a;
    return fail("kernel_pf", "write to an unmapped page did not fault");
}

/* A write to our own text: #PF, present, write (CR0.WP + read-only text). */
static int kernel_pf_text(void)
{
    kprintf("selftest: writing to kernel text at %p\n", (void *)__kernel_start);
    *(volatile uint8_t *)__kernel_start = 0x90;
    return fail("kernel_pf_text", "kernel text is writable");
}

/* Jumping into data: #PF, present, instruction fetch (NX on data). */
static int kernel_nx(void)
{
    static uint8_t data_page[16] = { 0xc3 };     /* ret */
    if (!cpu_has(CPU_NX)) {
        kprintf("TEST kernel_nx skip cpu has no NX\n");
        return 0;
    }
    kprintf("selftest: calling into .data at %p\n", (void *)data_page);
    ((void (*)(void))(uintptr_t)data_page)();
    return fail("kernel_nx", "data is executable");
}

static int kernel_ud(void)
{
    kprintf("selftest: executing ud2\n");
    __asm__ volatile("ud2");
    return fail("kernel_ud", "ud2 did not trap");
}

/* Unbounded recursion: the guard page under the kernel stack turns it into
 * a #PF that cannot be delivered on that stack, hence #DF on its IST stack. */
static volatile int recursion_limit = 1 << 30;   /* never reached: the stack is 16 KiB */

static int recurse(int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    if (depth > recursion_limit)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static int kernel_stack_overflow(void)
{
    kprintf("selftest: recursing until the kernel stack overflows\n");
    recurse(0);
    return fail("kernel_stack_overflow", "returned from unbounded recursion");
}

/* Every usable frame is reachable through the direct map, distinct, and
 * comes back: allocate all, stamp each with its own address, check the
 * stamps, free all, and the count returns to where it was. */
static int frames_all(void)
{
    struct frame_allocator *fa = &kernel_frames;
    uint64_t before = fa->free_frames, n = 0, list = 0, pa;
    while ((pa = frames_alloc(fa))) {
        uint64_t *p = phys_to_virt(pa);
        p[0] = list;          /* chain the frames to free them later */
        p[1] = pa ^ 0x5a5a5a5a5a5a5a5aull;
        list = pa;
        n++;
    }
    if (n != before || fa->free_frames != 0)
        return fail("frames", "allocated count differs from free count");
    for (uint64_t cur = list; cur; ) {
        uint64_t *p = phys_to_virt(cur);
        if (p[1] != (cur ^ 0x5a5a5a5a5a5a5a5aull))
            return fail("frames", "a frame's stamp was overwritten (frames overlap)");
        uint64_t next = p[0];
        frames_free(fa, cur);
        cur = next;
    }
    if (fa->free_frames != before)
        return fail("frames", "free count not restored");
    kprintf("TEST frames pass %lu frames (%lu MiB) allocated, checked and freed\n", n,
            n * FRAME_SIZE >> 20);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
    { "kernel_pf", kernel_pf },
    { "kernel_pf_text", kernel_pf_text },
    { "kernel_nx", kernel_nx },
    { "kernel_ud", kernel_ud },
    { "kernel_stack_overflow", kernel_stack_overflow },
    { "frames", frames_all },
};

int selftest_run(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
        if (!strncmp(tests[i].name, name, 64))
            return tests[i].fn();
    kprintf("selftest: unknown test '%s'; known:", name);
    for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
        kprintf(" %s", tests[i].name);
    kprintf("\n");
    return fail(name, "unknown test");
}
