/*
 * Escaping for JSON strings and XML text/attributes. Most of what is
 * escaped is our own text and space names (already printable ASCII), but
 * an SVG title comes from the command line and may hold anything: valid
 * UTF-8 passes through, other bytes are replaced, so the output is always
 * well-formed.
 */
#include "tracetool.h"

#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (s[0] >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;   /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

struct out { char *p; size_t cap, len; };

static void emit(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->cap)
            o->p[o->len] = s[i];
}

static size_t finish(struct out *o)
{
    if (o->cap)
        o->p[o->len < o->cap ? o->len : o->cap - 1] = 0;
    return o->len;
}

/* Writes what byte c becomes into buf (at most 8 bytes) and returns its
 * length, or 0 when c stands for itself (printable ASCII) or starts a
 * UTF-8 sequence. */
typedef size_t (*escape_rule)(unsigned char c, char buf[8]);

/* The walk both escapers share: each byte by its rule, well-formed UTF-8
 * as it is, any other byte as `invalid`. */
static size_t escape(char *out, size_t cap, const char *in, escape_rule rule, const char *invalid)
{
    struct out o = {out, cap, 0};
    const unsigned char *s = (const unsigned char *)in;
    char buf[8];
    while (*s) {
        size_t n;
        if ((n = rule(*s, buf)) != 0) {
            emit(&o, buf, n), s++;
        } else if (*s < 0x80) {
            emit(&o, (const char *)s, 1), s++;
        } else if ((n = utf8_len(s)) != 0) {
            emit(&o, (const char *)s, n), s += n;
        } else {
            emit(&o, invalid, strlen(invalid)), s++;
        }
    }
    return finish(&o);
}

static size_t json_rule(unsigned char c, char buf[8])
{
    static const char hex[] = "0123456789abcdef";
    if (c == '"' || c == '\\') {
        buf[0] = '\\', buf[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || c == 0x7f) {
        memcpy(buf, "\\u00", 4);
        buf[4] = hex[c >> 4], buf[5] = hex[c & 15];
        return 6;
    }
    return 0;
}

static size_t xml_rule(unsigned char c, char buf[8])
{
    const char *rep = NULL;
    switch (c) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&apos;"; break;
    case '\t': rep = "\t"; break;
    default:
        /* XML 1.0 has no way to write most control characters. */
        if (c < 0x20 || c == 0x7f)
            rep = "?";
        break;
    }
    if (!rep)
        return 0;
    size_t n = strlen(rep);
    memcpy(buf, rep, n);
    return n;
}

size_t json_escape(char *out, size_t cap, const char *in)
{
    return escape(out, cap, in, json_rule, "\\ufffd");
}

size_t xml_escape(char *out, size_t cap, const char *in)
{
    return escape(out, cap, in, xml_rule, "?");
}

static void put_escaped(FILE *f, const char *s, size_t (*esc)(char *, size_t, const char *))
{
    size_t n = esc(NULL, 0, s);
    char *buf = xmalloc(n + 1);
    esc(buf, n + 1, s);
    fputs(buf, f);
    free(buf);
}

void json_put_str(FILE *f, const char *s)
{
    fputc('"', f);
    put_escaped(f, s, json_escape);
    fputc('"', f);
}

void xml_put(FILE *f, const char *s)
{
    put_escaped(f, s, xml_escape);
}
