/* The formatter behind printf (ipc/print.h): pure, no system calls, so the
 * kernel's console output uses it too. */
#include <ipc/print.h>
#include <ipc/ulib.h>
#include <stdint.h>

struct out {
    char *buf;
    size_t size, n;
};

static void put(struct out *o, char c)
{
    if (o->n + 1 < o->size)
        o->buf[o->n] = c;
    o->n++;
}

static void pad(struct out *o, int n, char c)
{
    while (n-- > 0)
        put(o, c);
}

static void num(struct out *o, uint64_t v, unsigned base, int neg, int width, int zero,
                int left)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    int len = n + neg;
    if (!left && !zero)
        pad(o, width - len, ' ');
    if (neg)
        put(o, '-');
    if (!left && zero)
        pad(o, width - len, '0');
    while (n)
        put(o, digits[--n]);
    if (left)
        pad(o, width - len, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        int zero = 0, left = 0, width = 0, longs = 0;
        for (f++; *f == '0' || *f == '-'; f++)
            *f == '0' ? (zero = 1) : (left = 1);
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        while (*f == 'l' || *f == 'z') {
            longs++;
            f++;
        }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = (int)strlen(s);
            if (!left)
                pad(&o, width - len, ' ');
            while (*s)
                put(&o, *s++);
            if (left)
                pad(&o, width - len, ' ');
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, zero, left);
            break;
        }
        case 'u': num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, zero, left); break;
        case 'x': num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, zero, left); break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            num(&o, (uint64_t)va_arg(ap, void *), 16, 0, 16, 1, 0);
            break;
        case '%': put(&o, '%'); break;
        case 0: f--; break;
        default: put(&o, '%'); put(&o, *f); break;
        }
    }
    if (size)
        buf[o.n < size ? o.n : size - 1] = 0;
    return (int)o.n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
