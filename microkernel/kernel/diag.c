/* Box drawing for diagnostics; see diag.h. Lines longer than the box are
 * cut, never wrapped, so the frame stays intact. */
#include <kernel/diag.h>
#include <kernel/kprintf.h>
#include <stdarg.h>

#define INNER 62                 /* characters between the side bars */

static void repeat(const char *s, int n)
{
    while (n-- > 0)
        kprintf("%s", s);
}

static void boxed(const char *text)
{
    int n = 0;
    while (text[n] && n < INNER - 2)
        n++;
    kprintf("\u2551 ");
    for (int i = 0; i < n; i++)
        kprintf("%c", text[i]);
    repeat(" ", INNER - 1 - n);
    kprintf("\u2551\n");
}

void diag_begin(const char *title)
{
    kprintf("\n\u2554");
    repeat("\u2550", INNER);
    kprintf("\u2557\n");
    boxed(title);
    diag_rule();
}

void diag_rule(void)
{
    kprintf("\u255f");
    repeat("\u2500", INNER);
    kprintf("\u2562\n");
}

void diag_line(const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    boxed(buf);
}

void diag_end(void)
{
    kprintf("\u255a");
    repeat("\u2550", INNER);
    kprintf("\u255d\n");
}
