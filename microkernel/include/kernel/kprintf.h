/* Kernel console output (COM1). */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <ipc/print.h>     /* snprintf / vsnprintf: the shared formatter */
#include <stdarg.h>

/* Formats as ipc/print.h says (%s %c %d %i %u %x %p %% with l / ll / z
 * length, width, '0' and '-'); at most 511 characters a call. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif
