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

/* Each page of the buffer is read first: a page a lazy pager has not
 * mapped yet then faults in (the kernel reads a system call's buffer as
 * it is mapped, never faulting for us: IPC_EADDR otherwise). */
uint64_t debug_write(const char *s, size_t len)
{
    if (len) {
        uint64_t first = (uint64_t)s & ~4095ull, last = ((uint64_t)s + len - 1) & ~4095ull;
        (void)*(volatile const char *)s;
        for (uint64_t page = first + 4096; page <= last && page > first; page += 4096)
            (void)*(volatile const char *)page;
    }
    return sys_debug_puts(s, len);
}

void puts_raw(const char *s) { debug_write(s, strlen(s)); }
