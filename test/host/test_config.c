/*
 * Host tests for the boot.cfg parser (efi/config.c): a realistic file
 * parses, every error is reported with the right line, path and cmdline
 * rules hold at their limits, and config_basename splits paths.
 *
 * Text is handed to config_parse in a heap block of exactly its length
 * (no terminating NUL), so a sanitizer build catches any read past it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static struct boot_config cfg;
static unsigned line;

static const char *parse_n(const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, text, len);
    memset(&cfg, 0x5a, sizeof(cfg));        /* the parser must clear it */
    line = 999;
    const char *err = config_parse(copy, len, &cfg, &line);
    free(copy);
    return err;
}

static const char *parse(const char *text) { return parse_n(text, strlen(text)); }

/* A file with every kind of line: comments, blank lines, CRLF endings,
 * tabs and trailing blanks around values, modules in order. */
static void test_full_file(void)
{
    const char *text =
        "# boot.cfg for the test machine\r\n"
        "\r\n"
        "   \t\r\n"
        "module /boot/hello.elf\n"
        "kernel\t/boot/kernel.elf\r\n"
        "  # indented comment with \\ and \t and .. in it\n"
        "\tmodule\t\t/boot/servers/pager-1.elf  \t\r\n"
        "cmdline test=kernel_pf  verbose=1 \r\n"
        "\n";
    CHECK_ERR(parse(text), NULL);
    CHECK_EQ(line, 0);
    CHECK(strcmp(cfg.kernel, "/boot/kernel.elf") == 0);
    CHECK_EQ(cfg.module_count, 2);
    CHECK(strcmp(cfg.modules[0], "/boot/hello.elf") == 0);
    CHECK(strcmp(cfg.modules[1], "/boot/servers/pager-1.elf") == 0);
    CHECK(strcmp(cfg.cmdline, "test=kernel_pf  verbose=1") == 0);
    /* Unused module slots are cleared, not left as they were. */
    CHECK_EQ(cfg.modules[2][0], 0);

    /* The smallest valid file; no cmdline means an empty one. */
    CHECK_ERR(parse("kernel /k\n"), NULL);
    CHECK(strcmp(cfg.kernel, "/k") == 0);
    CHECK_EQ(cfg.module_count, 0);
    CHECK_EQ(cfg.cmdline[0], 0);

    /* An empty cmdline line is allowed. */
    CHECK_ERR(parse("kernel /k\ncmdline\n"), NULL);
    CHECK_EQ(cfg.cmdline[0], 0);
    CHECK_ERR(parse("kernel /k\ncmdline \t \r\n"), NULL);
    CHECK_EQ(cfg.cmdline[0], 0);
}

/* The last line needs no newline, with or without a trailing CR. */
static void test_last_line(void)
{
    CHECK_ERR(parse("kernel /boot/kernel.elf"), NULL);
    CHECK(strcmp(cfg.kernel, "/boot/kernel.elf") == 0);
    CHECK_ERR(parse("kernel /boot/kernel.elf\nmodule /boot/a.elf\r"), NULL);
    CHECK(strcmp(cfg.modules[0], "/boot/a.elf") == 0);
    CHECK_ERR(parse("kernel /boot/kernel.elf\ncmdline a=b"), NULL);
    CHECK(strcmp(cfg.cmdline, "a=b") == 0);
    /* An error on an unterminated last line still gets its number. */
    CHECK_ERR(parse("kernel /k\n\nbogus"), "unknown keyword");
    CHECK_EQ(line, 3);
}

/* Without a kernel line the file is refused as a whole (line 0). */
static void test_no_kernel(void)
{
    CHECK_ERR(parse(""), "no kernel line");
    CHECK_EQ(line, 0);
    CHECK_ERR(config_parse(NULL, 0, &cfg, &line), "no kernel line");
    CHECK_ERR(parse("\n\n# only comments\n   \n"), "no kernel line");
    CHECK_EQ(line, 0);
    CHECK_ERR(parse("module /boot/hello.elf\ncmdline x\n"), "no kernel line");
    CHECK_EQ(line, 0);
}

/* A second kernel line is an error at that line. */
static void test_kernel_twice(void)
{
    CHECK_ERR(parse("kernel /a\n# c\nkernel /a\n"), "kernel given twice");
    CHECK_EQ(line, 3);
}

/* Keywords are exact and case-sensitive; a wrong one is reported at its
 * line, counting blank, comment and CRLF lines. */
static void test_unknown_keyword(void)
{
    CHECK_ERR(parse("# x\r\n\r\nkernel /k\r\nkernal /k\r\n"), "unknown keyword");
    CHECK_EQ(line, 4);
    CHECK_ERR(parse("Kernel /k\n"), "unknown keyword");
    CHECK_EQ(line, 1);
    CHECK_ERR(parse("kernel /k\nmodules /m\n"), "unknown keyword");
    CHECK_EQ(line, 2);
    CHECK_ERR(parse("kernel/k\n"), "unknown keyword");
    CHECK_ERR(parse("kernel /k\nmod /m\n"), "unknown keyword");
    CHECK_ERR(parse("kernel /k\n=\n"), "unknown keyword");
}

/* BI_MAX_MODULES module lines are accepted in order, one more is not. */
static void test_module_limit(void)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof(text), "kernel /boot/kernel.elf\n");
    for (unsigned i = 0; i < BI_MAX_MODULES; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "module /boot/m%u.elf\n", i);
    CHECK_ERR(parse_n(text, len), NULL);
    CHECK_EQ(cfg.module_count, BI_MAX_MODULES);
    CHECK(strcmp(cfg.modules[0], "/boot/m0.elf") == 0);
    CHECK(strcmp(cfg.modules[BI_MAX_MODULES - 1], "/boot/m15.elf") == 0);

    len += (size_t)snprintf(text + len, sizeof(text) - len, "module /boot/extra.elf\n");
    CHECK_ERR(parse_n(text, len), "too many modules");
    CHECK_EQ(line, BI_MAX_MODULES + 2);
}

/* Builds "kernel <path>\n" where path is "/" + dir + "/" + name with the
 * given lengths, and parses it. */
static const char *parse_path_of(size_t dir_len, size_t name_len)
{
    char text[512] = "kernel /";
    size_t n = strlen(text);
    memset(text + n, 'd', dir_len);
    n += dir_len;
    if (dir_len)
        text[n++] = '/';
    memset(text + n, 'f', name_len);
    n += name_len;
    text[n++] = '\n';
    return parse_n(text, n);
}

/* Paths: absolute, no blanks, backslashes, control or non-ASCII bytes,
 * no "..", not a directory, shorter than CFG_PATH_MAX, with a base name
 * that fits a module name. */
static void test_paths(void)
{
    CHECK_ERR(parse("kernel boot/kernel.elf\n"), "path must start with /");
    CHECK_EQ(line, 1);
    CHECK_ERR(parse("kernel /k\nmodule hello.elf\n"), "path must start with /");
    CHECK_EQ(line, 2);
    CHECK_ERR(parse("kernel \\boot\\kernel.elf\n"), "path must start with /");
    CHECK_ERR(parse("kernel /boot\\kernel.elf\n"), "backslash");
    CHECK_ERR(parse("kernel /boot/my kernel.elf\n"), "space");
    CHECK_ERR(parse("kernel /boot/my\tkernel.elf\n"), "space");
    CHECK_ERR(parse("kernel /boot/k\x01.elf\n"), "non-printable");
    CHECK_ERR(parse("kernel /boot/k\x7f.elf\n"), "non-printable");
    CHECK_ERR(parse("kernel /boot/k\xc3\xa9.elf\n"), "non-printable");
    CHECK_ERR(parse("kernel /boot/../kernel.elf\n"), "..");
    CHECK_EQ(line, 1);
    CHECK_ERR(parse("kernel /k\nmodule /..\n"), "..");
    CHECK_EQ(line, 2);
    CHECK_ERR(parse("kernel /boot/\n"), "names a directory");
    CHECK_ERR(parse("kernel /\n"), "names a directory");
    CHECK_ERR(parse("kernel\n"), "missing path");
    CHECK_ERR(parse("kernel  \t \r\n"), "missing path");
    CHECK_ERR(parse("kernel /k\nmodule\n"), "missing path");
    CHECK_EQ(line, 2);
    /* A single dot is fine. */
    CHECK_ERR(parse("kernel /boot/./kernel.elf\n"), NULL);

    /* Length: CFG_PATH_MAX - 1 bytes fit, CFG_PATH_MAX do not. */
    CHECK_ERR(parse_path_of(CFG_PATH_MAX - 3 - (BI_NAME_MAX - 1), BI_NAME_MAX - 1), NULL);
    CHECK_EQ(strlen(cfg.kernel), CFG_PATH_MAX - 1);
    CHECK_ERR(parse_path_of(CFG_PATH_MAX - 2 - (BI_NAME_MAX - 1), BI_NAME_MAX - 1),
              "path too long");
    /* Base name: BI_NAME_MAX - 1 bytes fit (the module name is NUL
     * terminated), BI_NAME_MAX do not. */
    CHECK_ERR(parse_path_of(4, BI_NAME_MAX - 1), NULL);
    CHECK_EQ(strlen(config_basename(cfg.kernel)), BI_NAME_MAX - 1);
    CHECK_ERR(parse_path_of(4, BI_NAME_MAX), "file name too long");
    CHECK_ERR(parse_path_of(0, BI_NAME_MAX), "file name too long");
}

/* The cmdline is the rest of the line, printable ASCII, shorter than
 * BI_CMDLINE_MAX. */
static void test_cmdline(void)
{
    char text[600] = "kernel /k\ncmdline ";
    size_t n = strlen(text);
    memset(text + n, 'c', BI_CMDLINE_MAX - 1);
    text[n + BI_CMDLINE_MAX - 1] = '\n';
    CHECK_ERR(parse_n(text, n + BI_CMDLINE_MAX), NULL);
    CHECK_EQ(strlen(cfg.cmdline), BI_CMDLINE_MAX - 1);

    text[n + BI_CMDLINE_MAX - 1] = 'c';
    text[n + BI_CMDLINE_MAX] = '\n';
    CHECK_ERR(parse_n(text, n + BI_CMDLINE_MAX + 1), "cmdline too long");
    CHECK_EQ(line, 2);

    CHECK_ERR(parse("kernel /k\ncmdline a=\x01\n"), "non-printable");
    CHECK_EQ(line, 2);
    CHECK_ERR(parse("kernel /k\ncmdline a=1\tb=2\n"), "non-printable");
    CHECK_ERR(parse("kernel /k\ncmdline a=\x7f\n"), "non-printable");
    CHECK_ERR(parse("kernel /k\ncmdline caf\xc3\xa9\n"), "non-printable");
    CHECK_ERR(parse("kernel /k\ncmdline a=\rb\n"), "non-printable");

    /* Every printable character, '#' included, is kept. */
    CHECK_ERR(parse("kernel /k\ncmdline  x=\"a b\" #not-a-comment ~!\\\n"), NULL);
    CHECK(strcmp(cfg.cmdline, "x=\"a b\" #not-a-comment ~!\\") == 0);
}

/* A NUL byte anywhere, even in a comment, is refused at its line. */
static void test_nul_byte(void)
{
    static const char a[] = "kernel /k\n# x\0y\n";
    CHECK_ERR(parse_n(a, sizeof(a) - 1), "NUL byte");
    CHECK_EQ(line, 2);
    static const char b[] = "kernel /k\0\n";
    CHECK_ERR(parse_n(b, sizeof(b) - 1), "NUL byte");
    CHECK_EQ(line, 1);
    static const char c[] = "kernel /k\n\n\n\0";
    CHECK_ERR(parse_n(c, sizeof(c) - 1), "NUL byte");
    CHECK_EQ(line, 4);
}

/* config_basename returns the part after the last '/', pointing into the
 * argument. */
static void test_basename(void)
{
    static const char p1[] = "/boot/hello.elf";
    CHECK(config_basename(p1) == p1 + 6);
    CHECK(strcmp(config_basename("/boot/servers/pager.elf"), "pager.elf") == 0);
    static const char p2[] = "hello.elf";
    CHECK(config_basename(p2) == p2);
    CHECK(strcmp(config_basename("/kernel"), "kernel") == 0);
    CHECK(strcmp(config_basename("//x"), "x") == 0);
    CHECK(strcmp(config_basename("/"), "") == 0);
    CHECK(strcmp(config_basename("/boot/"), "") == 0);
    CHECK(strcmp(config_basename(""), "") == 0);
}

int main(void)
{
    test_full_file();
    test_last_line();
    test_no_kernel();
    test_kernel_twice();
    test_unknown_keyword();
    test_module_limit();
    test_paths();
    test_cmdline();
    test_nul_byte();
    test_basename();
    return check_summary("config");
}
