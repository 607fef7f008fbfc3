/* Formatted output on the kernel's debug console (SYS_DEBUG_PUTS). */
#ifndef IPC_PRINT_H
#define IPC_PRINT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* %s %c %d %i %u %x %p %% with l/ll/z lengths, width, '0' and '-'.
 * Each call is printed in one piece (up to 512 characters). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void puts_raw(const char *s);
/* len bytes at s on the console: SYS_DEBUG_PUTS, with every page of the
 * buffer touched first, so that under a lazy pager a page never touched
 * is faulted in rather than refused (the raw sys_debug_puts says
 * IPC_EADDR for it). 0 or the call's IPC_E* status. */
uint64_t debug_write(const char *s, size_t len);

#endif
