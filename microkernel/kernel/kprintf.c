/* Console output for the kernel: the shared formatter (libipc/src/format.c)
 * into a line buffer, then the serial port. */
#include <kernel/kprintf.h>
#include <kernel/serial.h>

void kvprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    serial_write(buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
