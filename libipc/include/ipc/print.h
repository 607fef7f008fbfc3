/* Formatted output on the kernel's debug console (SYS_DEBUG_PUTS). */
#ifndef IPC_PRINT_H
#define IPC_PRINT_H

#include <stdarg.h>
#include <stddef.h>

/* %s %c %d %i %u %x %p %% with l/ll/z lengths, width, '0' and '-'.
 * Each call is printed in one piece (up to 512 characters). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void puts_raw(const char *s);

#endif
