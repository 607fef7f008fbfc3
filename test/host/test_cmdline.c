/*
 * Host tests for the command-line lookup of the kernel and the pagers
 * (cmdline_get in libipc/src/cmdline.c): "key=value" words found anywhere on the
 * line, whole keys only, empty values, any run of spaces between words,
 * values cut to the buffer, and an absent key reported with an empty
 * buffer.
 *
 * boot.c's other functions need the frame allocator and the ELF checker
 * (compiled in) and kprintf (the stub below, never reached here). Every
 * command line and every buffer is a heap block of exactly its size, so
 * a read or write past either is caught by the sanitizer build.
 */
#include <kernel/boot.h>
#include <kernel/kprintf.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
    abort();
}

static char got[64];

/* cmdline_get on heap copies: line exactly its length + 1, buffer exactly
 * size bytes (pre-filled with junk). The buffer's text is left in got. */
static int lookup(const char *line, const char *key, unsigned size)
{
    size_t len = strlen(line) + 1;
    char *l = malloc(len), *buf = malloc(size);
    memcpy(l, line, len);
    memset(buf, 0x55, size);
    int r = cmdline_get(l, key, buf, size);
    size_t n = strnlen(buf, size);
    if (n == size || n >= sizeof(got))
        strcpy(got, "<unterminated>");
    else
        memcpy(got, buf, n + 1);
    free(l);
    free(buf);
    return r;
}

/* One check: the lookup's result and the value it left in the buffer. */
static void expect_at(const char *file, int line, const char *cmdline, const char *key,
                      unsigned size, int want_ret, const char *want)
{
    int r = lookup(cmdline, key, size);
    if (!check_true(r == want_ret && strcmp(got, want) == 0, file, line, cmdline))
        fprintf(stderr, "    key \"%s\" size %u: got %d \"%s\", want %d \"%s\"\n", key, size,
                r, got, want_ret, want);
}
#define FOUND(line, key, value) expect_at(__FILE__, __LINE__, line, key, 64, 1, value)
#define ABSENT(line, key) expect_at(__FILE__, __LINE__, line, key, 64, 0, "")
#define FOUND_SIZED(line, key, size, value) \
    expect_at(__FILE__, __LINE__, line, key, size, 1, value)

/* The key as first, middle, last and only word. */
static void test_positions(void)
{
    FOUND("test=ipc", "test", "ipc");
    FOUND("test=ipc foo=bar", "test", "ipc");
    FOUND("a=1 test=mid b=2", "test", "mid");
    FOUND("a=1 b=2 test=last", "test", "last");
    FOUND("a=1 b=2 test=last", "a", "1");
    FOUND("a=1 b=2 test=last", "b", "2");
    /* The value ends at the next space; later '=' belong to it. */
    FOUND("test=a=b c=d", "test", "a=b");
    FOUND("x=1 test==", "test", "=");
    /* The first occurrence wins. */
    FOUND("test=1 test=2", "test", "1");
}

/* "key=" is present with an empty value. */
static void test_empty_value(void)
{
    FOUND("test=", "test", "");
    FOUND("test= foo=bar", "test", "");
    FOUND("foo=bar test=", "test", "");
    FOUND("a=1 test= b=2", "test", "");
    FOUND("a=1 test= b=2", "b", "2");
}

/* Only whole keys match: not a word that merely starts with the key,
 * nor one that contains it later, nor a shorter key. */
static void test_whole_keys(void)
{
    ABSENT("tests=1", "test");
    FOUND("tests=1 test=2", "test", "2");
    FOUND("test=2 tests=1", "tests", "1");
    ABSENT("test=1", "tests");
    ABSENT("mytest=1", "test");
    ABSENT("a=test=1", "test");
    ABSENT("t=1 te=2", "test");
    FOUND("t=1 te=2", "t", "1");
    FOUND("t=1 te=2", "te", "2");
}

/* A key without '=' is not a key=value pair. */
static void test_no_equals(void)
{
    ABSENT("test", "test");
    ABSENT("test foo=bar", "test");
    ABSENT("foo=bar test", "test");
    ABSENT("testvalue", "test");
    FOUND("test test=x", "test", "x");
}

/* Any number of spaces before, between and after words. */
static void test_spaces(void)
{
    FOUND("   test=lead", "test", "lead");
    FOUND("test=trail   ", "test", "trail");
    FOUND("a=1     test=gap     b=2", "test", "gap");
    FOUND("  a=1  b=2  test=end  ", "test", "end");
    FOUND("  a=1  b=2  test=end  ", "b", "2");
    ABSENT("  a=1  b=2    ", "test");
    ABSENT("     ", "test");
    FOUND("test=  x=1", "test", "");
}

/* The value is cut to size-1 characters and terminated; the key still
 * counts as present. */
static void test_truncation(void)
{
    FOUND_SIZED("test=abcdef", "test", 4, "abc");
    FOUND_SIZED("test=abcdef b=2", "test", 4, "abc");
    FOUND_SIZED("test=abcdef", "test", 7, "abcdef");    /* exactly fits */
    FOUND_SIZED("test=abcdef", "test", 6, "abcde");     /* one short */
    FOUND_SIZED("test=abcdef", "test", 2, "a");
    FOUND_SIZED("test=abcdef", "test", 1, "");
    FOUND_SIZED("test=", "test", 1, "");
    expect_at(__FILE__, __LINE__, "a=1", "test", 1, 0, "");
}

/* An absent key returns 0 and an empty buffer (whatever it held before),
 * and so does an empty line. */
static void test_absent(void)
{
    ABSENT("", "test");
    ABSENT("foo=bar", "test");
    ABSENT("foo=bar baz=qux", "test");
    ABSENT("foo=test", "test");
    ABSENT("=test", "test");
}

/* The longest line the loader passes, with the key at its very end. */
static void test_long_line(void)
{
    char line[BI_CMDLINE_MAX];
    memset(line, 0, sizeof(line));
    size_t pos = 0;
    while (pos + 8 < sizeof(line) - 12) {
        memcpy(line + pos, "pad=xyz ", 8);
        pos += 8;
    }
    memcpy(line + pos, "test=end", 8);
    FOUND(line, "test", "end");
    FOUND(line, "pad", "xyz");
    ABSENT(line, "nothere");
}

/* Numbers: digits only, up to max exactly, nothing past it or wrapped. */
static void test_number(void)
{
    uint64_t n = 77;
    CHECK(cmdline_number("0", 10, &n) && n == 0);
    CHECK(cmdline_number("4096", 4096, &n) && n == 4096);
    n = 77;
    CHECK(!cmdline_number("4097", 4096, &n) && n == 77);
    CHECK(!cmdline_number("", 10, &n) && n == 77);
    CHECK(!cmdline_number("12k", 1000, &n) && n == 77);
    CHECK(!cmdline_number("-1", 1000, &n) && n == 77);
    CHECK(!cmdline_number(" 1", 1000, &n) && n == 77);
    CHECK(cmdline_number("18446744073709551615", UINT64_MAX, &n) && n == UINT64_MAX);
    n = 77;
    CHECK(!cmdline_number("18446744073709551616", UINT64_MAX, &n) && n == 77);   /* wraps */
    CHECK(!cmdline_number("99999999999999999999", UINT64_MAX, &n) && n == 77);
    CHECK(cmdline_number("4194304", 1u << 22, &n) && n == 1u << 22);
    CHECK(!cmdline_number("4194305", 1u << 22, &n));
    CHECK(cmdline_number("007", 10, &n) && n == 7);
}

int main(void)
{
    test_positions();
    test_empty_value();
    test_whole_keys();
    test_no_equals();
    test_spaces();
    test_truncation();
    test_absent();
    test_long_line();
    test_number();
    return check_summary("cmdline");
}
