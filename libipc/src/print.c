/* printf for user programs: formats into a buffer (format.c), one
 * debug_puts call. */
#include <ipc/print.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sys_debug_puts(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}

void puts_raw(const char *s) { sys_debug_puts(s, strlen(s)); }
