/* boot.cfg parser; see config.h for the format. */
#include "config.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Compares the word text[0..n) with a NUL-terminated keyword. */
static int word_is(const char *text, size_t n, const char *kw)
{
    size_t i = 0;
    for (; i < n && kw[i]; i++)
        if (text[i] != kw[i])
            return 0;
    return i == n && kw[i] == 0;
}

const char *config_basename(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    return base;
}

/* A path is absolute, printable, without spaces or "..", and short enough. */
static const char *copy_path(char *dst, const char *src, size_t n)
{
    if (n == 0)
        return "missing path";
    if (n >= CFG_PATH_MAX)
        return "path too long";
    if (src[0] != '/')
        return "path must start with /";
    for (size_t i = 0; i < n; i++) {
        if (src[i] <= ' ' || src[i] > '~' || src[i] == '\\')
            return "path has a space, backslash or non-printable character";
        if (src[i] == '.' && i + 1 < n && src[i + 1] == '.')
            return "path may not contain ..";
        dst[i] = src[i];
    }
    dst[n] = 0;
    if (src[n - 1] == '/')
        return "path names a directory";
    if (str_len(config_basename(dst)) >= BI_NAME_MAX)
        return "file name too long for a module name";
    return NULL;
}

static const char *parse_line(const char *s, size_t n, struct boot_config *cfg)
{
    size_t i = 0, kw_end, v, v_end = n;
    while (i < n && is_space(s[i]))
        i++;
    if (i == n || s[i] == '#')
        return NULL;
    kw_end = i;
    while (kw_end < n && !is_space(s[kw_end]))
        kw_end++;
    v = kw_end;
    while (v < n && is_space(s[v]))
        v++;
    while (v_end > v && is_space(s[v_end - 1]))
        v_end--;

    if (word_is(s + i, kw_end - i, "kernel")) {
        if (cfg->kernel[0])
            return "kernel given twice";
        return copy_path(cfg->kernel, s + v, v_end - v);
    }
    if (word_is(s + i, kw_end - i, "module")) {
        if (cfg->module_count == BI_MAX_MODULES)
            return "too many modules";
        return copy_path(cfg->modules[cfg->module_count++], s + v, v_end - v);
    }
    if (word_is(s + i, kw_end - i, "cmdline")) {
        if (v_end - v >= BI_CMDLINE_MAX)
            return "cmdline too long";
        for (size_t k = v; k < v_end; k++) {
            if (s[k] < ' ' || s[k] > '~')
                return "cmdline has a non-printable character";
            cfg->cmdline[k - v] = s[k];
        }
        cfg->cmdline[v_end - v] = 0;
        return NULL;
    }
    return "unknown keyword (expected kernel, module or cmdline)";
}

const char *config_parse(const char *text, size_t len, struct boot_config *cfg,
                         unsigned *line)
{
    char *raw = (char *)cfg;
    for (size_t i = 0; i < sizeof(*cfg); i++)
        raw[i] = 0;
    *line = 0;
    size_t start = 0;
    for (unsigned no = 1; start < len; no++) {
        size_t end = start;
        while (end < len && text[end] != '\n') {
            if (text[end] == 0) {
                *line = no;
                return "NUL byte in configuration";
            }
            end++;
        }
        const char *err = parse_line(text + start, end - start, cfg);
        if (err) {
            *line = no;
            return err;
        }
        start = end + 1;
    }
    if (!cfg->kernel[0])
        return "no kernel line";
    return NULL;
}
