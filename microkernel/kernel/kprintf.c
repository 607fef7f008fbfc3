/* A small printf for the serial console; see kprintf.h. */
#include <kernel/kprintf.h>
#include <kernel/serial.h>
#include <stdint.h>

/* Output goes to the serial port, or into a buffer for ksnprintf. */
struct sink {
    char *buf;
    unsigned size, n;
};

static void emit(struct sink *o, char c)
{
    if (!o->buf)
        serial_putc(c);
    else if (o->n + 1 < o->size)
        o->buf[o->n++] = c;
}

struct spec {
    int width;
    int zero, left;
    int longs;
};

static void pad(struct sink *o, int n, char c)
{
    while (n-- > 0)
        emit(o, c);
}

static void put_str(struct sink *o, const char *s, const struct spec *sp)
{
    int n = 0;
    if (!s)
        s = "(null)";
    while (s[n])
        n++;
    if (!sp->left)
        pad(o, sp->width - n, ' ');
    for (int i = 0; i < n; i++)
        emit(o, s[i]);
    if (sp->left)
        pad(o, sp->width - n, ' ');
}

static void put_num(struct sink *o, uint64_t v, unsigned base, int negative, const struct spec *sp)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    int len = n + negative;
    if (!sp->left && !sp->zero)
        pad(o, sp->width - len, ' ');
    if (negative)
        emit(o, '-');
    if (!sp->left && sp->zero)
        pad(o, sp->width - len, '0');
    while (n)
        emit(o, buf[--n]);
    if (sp->left)
        pad(o, sp->width - len, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp)
{
    *sp = (struct spec){0};
    for (;; f++) {
        if (*f == '0') sp->zero = 1;
        else if (*f == '-') sp->left = 1;
        else break;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (*f++ - '0');
    while (*f == 'l' || *f == 'z') {
        sp->longs++;
        f++;
    }
    return f;
}

static void format(struct sink *o, const char *fmt, va_list ap)
{
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            emit(o, *f);
            continue;
        }
        struct spec sp;
        f = parse_spec(f + 1, &sp);
        switch (*f) {
        case 's': put_str(o, va_arg(ap, const char *), &sp); break;
        case 'c': emit(o, (char)va_arg(ap, int)); break;
        case 'd': case 'i': {
            int64_t v = sp.longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, &sp);
            break;
        }
        case 'u': put_num(o, sp.longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, &sp); break;
        case 'x': put_num(o, sp.longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, &sp); break;
        case 'p':
            emit(o, '0');
            emit(o, 'x');
            sp.zero = 1;
            sp.width = 16;
            put_num(o, (uint64_t)va_arg(ap, void *), 16, 0, &sp);
            break;
        case '%': emit(o, '%'); break;
        case 0: return;
        default: emit(o, '%'); emit(o, *f); break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void kvprintf(const char *fmt, va_list ap)
{
    struct sink o = {0};
    format(&o, fmt, ap);
}

unsigned kvsnprintf(char *buf, unsigned size, const char *fmt, va_list ap)
{
    struct sink o = { buf, size, 0 };
    format(&o, fmt, ap);
    if (size)
        buf[o.n] = 0;
    return o.n;
}

unsigned ksnprintf(char *buf, unsigned size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    unsigned n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
