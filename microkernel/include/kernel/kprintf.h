/* Kernel console output (COM1). */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <stdarg.h>

/* Formats: %s %c %d %i %u %x %p %% with l / ll / z length, width, '0' and
 * '-' flags. Unknown conversions print literally. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when size > 0, truncated to fit);
 * returns the number of characters stored. */
unsigned ksnprintf(char *buf, unsigned size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned kvsnprintf(char *buf, unsigned size, const char *fmt, va_list ap);

#endif
