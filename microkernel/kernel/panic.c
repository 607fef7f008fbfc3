/* panic and machine_exit; see panic.h. */
#include <arch/io.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/trace.h>

void machine_exit(unsigned value)
{
    trace_dump();
    outl(DEBUG_EXIT_PORT, value);
    /* No isa-debug-exit (real hardware): stop here. */
    for (;;)
        __asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kprintf("PANIC ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    machine_exit(EXIT_PANIC_VALUE);
}
