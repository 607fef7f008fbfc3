/* Ending a run: cleanly, or with the reason on the console. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <boot/exitcode.h>

/* Prints "PANIC <reason>", ends the QEMU run with EXIT_PANIC_VALUE, and on
 * real hardware halts this CPU forever. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Ends the run through isa-debug-exit with value (EXIT_*_VALUE); halts if
 * the device is absent. */
void machine_exit(unsigned value) __attribute__((noreturn));

#endif
