/* The few C string functions freestanding code needs (clang may emit calls
 * to the mem* ones): one copy, compiled into the kernel and into every user
 * program. */
#include <ipc/ulib.h>

/* Whole 8-byte words when the sizes allow (cheaper under icount, which
 * counts each iteration of a rep instruction). */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;
    if (!(((uintptr_t)dst | (uintptr_t)src | n) & 7)) {
        n /= 8;
        __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    } else {
        __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    }
    return ret;
}

void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    if (!(((uintptr_t)dst | n) & 7)) {
        uint64_t v = (uint8_t)c * 0x0101010101010101ull;
        n /= 8;
        __asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
    } else {
        __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
    }
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
        if (!a[i])
            return 0;
    }
    return 0;
}

int strcmp(const char *a, const char *b) { return strncmp(a, b, (size_t)-1); }
