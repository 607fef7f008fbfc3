/* Command-line lookup, shared by the kernel and the pagers; see ipc/cmdline.h. */
#include <ipc/cmdline.h>
#include <stddef.h>

size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

int cmdline_number(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t n = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (d > 9 || n > (max - d) / 10)
            return 0;                 /* not a digit, or past max */
        n = n * 10 + d;
    }
    *out = n;
    return 1;
}

int cmdline_get(const char *cmdline, const char *key, char *buf, unsigned size)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    if (size == 0)
        return 0;                 /* nowhere to put even the terminator */
    buf[0] = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - word) > klen && !strncmp(word, key, klen) && word[klen] == '=') {
            unsigned n = 0;
            for (const char *v = word + klen + 1; v < p && n + 1 < size; v++)
                buf[n++] = *v;
            buf[n] = 0;
            return 1;
        }
    }
    return 0;
}
