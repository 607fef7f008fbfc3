/*
 * Host tests for the formatter shared by user programs and the kernel
 * (libipc/src/format.c): every
 * conversion, length and flag it documents, the extremes of each integer
 * type, truncation (return value, termination, no write past the size),
 * and random integer and string conversions against the host C library.
 *
 * format.c defines snprintf and vsnprintf, which would replace the host C
 * library's functions of those names in this program. CMakeLists.txt
 * therefore compiles format.c with them renamed ipc_* (print_rename.h);
 * the same renaming is applied here around its header only, so the plain
 * names below stay the host's.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include "print_rename.h"
#include <ipc/print.h>
#undef printf
#undef snprintf
#undef vsnprintf
#undef puts_raw

static char out[256];

/* Formats into out (pre-filled with junk) through ipc_vsnprintf. Has the
 * format attribute, so the compiler checks the arguments' types. */
static int fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int fmt(const char *f, ...)
{
    memset(out, 0x55, sizeof(out));
    va_list ap;
    va_start(ap, f);
    int n = ipc_vsnprintf(out, sizeof(out), f, ap);
    va_end(ap);
    return n;
}

/* The same for formats the C standard does not define (unknown or
 * unfinished conversions): no format attribute. The format is copied to a
 * heap block of exactly its size, so reading past its NUL is caught. */
static int fmt_raw(const char *f, ...)
{
    size_t len = strlen(f) + 1;
    char *copy = malloc(len);
    memcpy(copy, f, len);
    memset(out, 0x55, sizeof(out));
    va_list ap;
    va_start(ap, f);
    int n = ipc_vsnprintf(out, sizeof(out), copy, ap);
    va_end(ap);
    free(copy);
    return n;
}

/* One check: out holds exactly want and the call returned its length. */
static void expect_at(const char *file, int line, int ret, const char *want)
{
    int ok = ret >= 0 && (size_t)ret == strlen(want) && strcmp(out, want) == 0;
    if (!check_true(ok, file, line, want))
        fprintf(stderr, "    got \"%s\" (returned %d), want \"%s\" (%zu)\n", out, ret,
                want, strlen(want));
}
#define EXPECT(want, call) expect_at(__FILE__, __LINE__, (call), (want))

/* Plain text, %% and %s, including the "(null)" stand-in for NULL. */
static void test_text(void)
{
    EXPECT("", fmt("%s", ""));
    EXPECT("hello", fmt("hello"));
    EXPECT("100%", fmt("100%%"));
    EXPECT("%%", fmt("%%%%"));
    EXPECT("a%b", fmt("a%%b"));
    EXPECT("x=abc.", fmt("x=%s.", "abc"));
    EXPECT("(null)", fmt("%s", (const char *)NULL));
    EXPECT("[(null)]", fmt("[%s]", (const char *)NULL));
    EXPECT("ab", fmt("%s%s", "a", "b"));
    EXPECT("A", fmt("%c", 'A'));
    EXPECT("<x y>", fmt("<%c%c%c>", 'x', ' ', 'y'));
    EXPECT("1 two 3 4", fmt("%d %s %c %x", 1, "two", '3', 4));
}

/* %d %i %u %x in every length, at each type's extremes. */
static void test_integers(void)
{
    EXPECT("0", fmt("%d", 0));
    EXPECT("42", fmt("%d", 42));
    EXPECT("-42", fmt("%i", -42));
    EXPECT("2147483647", fmt("%d", INT_MAX));
    EXPECT("-2147483648", fmt("%d", INT_MIN));
    EXPECT("-2147483648", fmt("%i", INT_MIN));
    EXPECT("4294967295", fmt("%u", UINT_MAX));
    EXPECT("0", fmt("%u", 0u));
    EXPECT("ffffffff", fmt("%x", UINT_MAX));
    EXPECT("ffffffff", fmt("%x", (unsigned)-1));
    EXPECT("deadbeef", fmt("%x", 0xdeadbeefu));
    EXPECT("0", fmt("%x", 0u));

    /* l: 64 bits here, like the kernel's target. */
    EXPECT("-9223372036854775808", fmt("%ld", (long)INT64_MIN));
    EXPECT("9223372036854775807", fmt("%ld", (long)INT64_MAX));
    EXPECT("-1", fmt("%li", -1l));
    EXPECT("18446744073709551615", fmt("%lu", (unsigned long)UINT64_MAX));
    EXPECT("ffffffffffffffff", fmt("%lx", (unsigned long)UINT64_MAX));
    EXPECT("123456789abcdef0", fmt("%lx", 0x123456789abcdef0ul));
    EXPECT("4294967296", fmt("%lu", 1ul << 32));

    /* ll */
    EXPECT("-9223372036854775808", fmt("%lld", LLONG_MIN));
    EXPECT("9223372036854775807", fmt("%lli", LLONG_MAX));
    EXPECT("18446744073709551615", fmt("%llu", ULLONG_MAX));
    EXPECT("8000000000000000", fmt("%llx", 1ull << 63));

    /* z */
    EXPECT("18446744073709551615", fmt("%zu", (size_t)SIZE_MAX));
    EXPECT("fffffffffffff000", fmt("%zx", (size_t)0xfffffffffffff000ull));
    EXPECT("4096", fmt("%zu", sizeof(out) * 16));

    /* A 32-bit argument without a length is not sign-extended by %u/%x
     * and is by %d. */
    EXPECT("-1 4294967295 ffffffff", fmt("%d %u %x", -1, (unsigned)-1, (unsigned)-1));
    /* Arguments of mixed sizes are taken in order. */
    EXPECT("1 18446744073709551615 2 -3 4",
           fmt("%d %lu %u %lld %zu", 1, (unsigned long)UINT64_MAX, 2u, -3ll, (size_t)4));
}

/* %p: 0x and 16 zero-padded hex digits, NULL included. */
static void test_pointers(void)
{
    EXPECT("0x0000000000000000", fmt("%p", (void *)0));
    EXPECT("0x0000000000001234", fmt("%p", (void *)0x1234));
    EXPECT("0xffff800000000000", fmt("%p", (void *)0xffff800000000000ull));
    EXPECT("0xffffffffffffffff", fmt("%p", (void *)UINTPTR_MAX));
    EXPECT("[0x00000000deadbeef]", fmt("[%p]", (void *)0xdeadbeef));
}

/* Width pads on the left with spaces, '0' pads numbers with zeros after
 * the sign, '-' pads on the right; a value wider than the width is whole. */
static void test_width_flags(void)
{
    EXPECT("   42", fmt("%5d", 42));
    EXPECT("00042", fmt("%05d", 42));
    EXPECT("42   |", fmt("%-5d|", 42));
    EXPECT("  -42", fmt("%5d", -42));
    EXPECT("-0042", fmt("%05d", -42));
    EXPECT("-42  |", fmt("%-5d|", -42));
    EXPECT("123456", fmt("%3d", 123456));
    EXPECT("-123456", fmt("%03d", -123456));
    EXPECT("42", fmt("%1d", 42));
    EXPECT("7", fmt("%0d", 7));
    EXPECT("0000000000000000000042", fmt("%022u", 42u));
    EXPECT("000000ff", fmt("%08x", 0xffu));
    EXPECT("      ff", fmt("%8x", 0xffu));
    EXPECT("ff      |", fmt("%-8x|", 0xffu));
    EXPECT("00000000deadbeef", fmt("%016lx", 0xdeadbeeful));
    EXPECT("-9223372036854775808", fmt("%5ld", (long)INT64_MIN));
    EXPECT(" -9223372036854775808", fmt("%21ld", (long)INT64_MIN));
    EXPECT("-09223372036854775808", fmt("%021ld", (long)INT64_MIN));
    EXPECT("0000000000", fmt("%010zu", (size_t)0));

    EXPECT("   ab", fmt("%5s", "ab"));
    EXPECT("ab   |", fmt("%-5s|", "ab"));
    EXPECT("abcdef", fmt("%3s", "abcdef"));
    EXPECT("  (null)", fmt("%8s", (const char *)NULL));
    EXPECT("     ", fmt("%5s", ""));

    /* '-' wins over '0', in either order (undefined for the compiler's
     * format checking, hence fmt_raw). */
    EXPECT("42   |", fmt_raw("%-05d|", 42));
    EXPECT("42   |", fmt_raw("%0-5d|", 42));
    EXPECT("-42  |", fmt_raw("%-05d|", -42));
    /* '0' on a string still pads with spaces. */
    EXPECT("   ab", fmt_raw("%05s", "ab"));
}

/* Unknown conversions print '%' and the character, take no argument and
 * drop their flags and width; a '%' at the very end prints nothing and
 * nothing past the format's NUL is read. */
static void test_odd_formats(void)
{
    EXPECT("%q", fmt_raw("%q"));
    EXPECT("%q 7", fmt_raw("%q %d", 7));
    EXPECT("%q", fmt_raw("%-08q"));
    EXPECT("%hd", fmt_raw("%hd", 5));        /* no h length: 'h' is unknown */
    EXPECT("%.3s", fmt_raw("%.3s", "abcdef"));   /* no precision either */
    EXPECT("%f", fmt_raw("%f", 1.5));
    EXPECT("%", fmt_raw("%5%"));

    EXPECT("", fmt_raw("%"));
    EXPECT("abc", fmt_raw("abc%"));
    EXPECT("7", fmt_raw("%d%", 7));
    EXPECT("x", fmt_raw("x%05"));
    EXPECT("x", fmt_raw("x%-"));
    EXPECT("x", fmt_raw("x%l"));
    EXPECT("x", fmt_raw("x%0-12ll"));
}

/* The return value is the full length whatever the size; at most size-1
 * characters are stored, always followed by a NUL; nothing is written at
 * or past buf[size], and with size 0 nothing at all (buf may be NULL). */
static void test_truncation(void)
{
    char buf[16];

    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 5, "hello world"), 11);
    CHECK(memcmp(buf, "hell\0zzzz", 9) == 0);

    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 1, "hello"), 5);
    CHECK(memcmp(buf, "\0zzz", 4) == 0);

    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 0, "hello"), 5);
    CHECK_EQ(buf[0], 'z');
    CHECK_EQ(ipc_snprintf(NULL, 0, "%d-%s", -12345, "abc"), 10);

    /* Exactly fitting, and one short. */
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 6, "%s", "hello"), 5);
    CHECK(memcmp(buf, "hello\0z", 7) == 0);
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 5, "%s", "hello"), 5);
    CHECK(memcmp(buf, "hell\0z", 6) == 0);

    /* Cut inside a number, inside padding, inside %p. */
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 4, "%d", -123456), 7);
    CHECK(memcmp(buf, "-12\0z", 5) == 0);
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 4, "%10d", 5), 10);
    CHECK(memcmp(buf, "   \0z", 5) == 0);
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, 8, "%p", (void *)0xabc), 18);
    CHECK(memcmp(buf, "0x00000\0z", 9) == 0);

    /* The return value counts past any buffer size. */
    CHECK_EQ(ipc_snprintf(buf, sizeof(buf), "%300d", 1), 300);
    CHECK_EQ(strlen(buf), sizeof(buf) - 1);

    /* Every size from 0 to past the end, in a heap block of exactly that
     * size: the stored text is the prefix of the full one. */
    static const char full[] = "id=-9223372036854775808 p=0x00000000cafe0000 s=(null)|";
    int len = (int)strlen(full), bad = 0;
    for (int size = 0; size <= len + 2; size++) {
        char *b = malloc(size ? (size_t)size : 1);
        int n = ipc_snprintf(size ? b : NULL, (size_t)size, "id=%ld p=%p s=%s|",
                             (long)INT64_MIN, (void *)0xcafe0000, (const char *)NULL);
        if (n != len)
            bad++;
        if (size) {
            int keep = size - 1 < len ? size - 1 : len;
            if (memcmp(b, full, (size_t)keep) != 0 || b[keep] != 0)
                bad++;
        }
        free(b);
    }
    CHECK_EQ(bad, 0);
}

/* ipc_snprintf is ipc_vsnprintf with its arguments. */
static void test_snprintf(void)
{
    char buf[64];
    memset(buf, 0x55, sizeof(buf));
    CHECK_EQ(ipc_snprintf(buf, sizeof(buf), "%s=%05d/%-3x|%c%%", "k", -7, 0xau, '!'), 14);
    CHECK(strcmp(buf, "k=-0007/a  |!%") == 0);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state;
}

/* A random value of random magnitude: small numbers and extremes matter. */
static uint64_t rng_value(void)
{
    uint64_t v = rng() ^ (rng() >> 31);
    switch ((rng() >> 40) % 5) {
    case 0: return v % 10;
    case 1: return v >> ((rng() >> 40) % 64);
    case 2: return (uint64_t)INT64_MIN + (v % 3) - 1;   /* around INT64_MIN / MAX */
    case 3: return ~(v % 3);                            /* -1, -2, -3 */
    default: return v;
    }
}

/*
 * 20000 random integer conversions: flags from "", "0", "-", "0-", "-0",
 * width 0..24, each length and conversion, and 2000 string conversions,
 * all formatted identically to the host C library (same text, same
 * return value). Where the C library and format.c agree by definition.
 */
static void test_random_vs_libc(void)
{
    static const char *const flags[] = { "", "0", "-", "0-", "-0" };
    static const char *const lengths[] = { "", "l", "ll", "z" };
    static const char convs[] = "diux";
    char f[32], want[128];
    unsigned bad = 0;

    for (int i = 0; i < 20000; i++) {
        const char *fl = flags[rng() % 5];
        unsigned width = (unsigned)(rng() % 25);
        unsigned li = (unsigned)(rng() % 4);
        char conv = convs[rng() % 4];
        if (width)
            snprintf(f, sizeof(f), "<%%%s%u%s%c>", fl, width, lengths[li], conv);
        else
            snprintf(f, sizeof(f), "<%%%s%s%c>", fl, lengths[li], conv);
        uint64_t v = rng_value();
        int n_want, n_got;
        if (li == 0 && (conv == 'd' || conv == 'i')) {
            n_want = snprintf(want, sizeof(want), f, (int)v);
            n_got = fmt_raw(f, (int)v);
        } else if (li == 0) {
            n_want = snprintf(want, sizeof(want), f, (unsigned)v);
            n_got = fmt_raw(f, (unsigned)v);
        } else if (li == 1) {
            n_want = snprintf(want, sizeof(want), f, (long)v);
            n_got = fmt_raw(f, (long)v);
        } else if (li == 2) {
            n_want = snprintf(want, sizeof(want), f, (long long)v);
            n_got = fmt_raw(f, (long long)v);
        } else {
            n_want = snprintf(want, sizeof(want), f, (size_t)v);
            n_got = fmt_raw(f, (size_t)v);
        }
        if (n_want != n_got || strcmp(want, out) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "    %s with 0x%" PRIx64 ": libc \"%s\", format.c \"%s\"\n", f,
                        v, want, out);
        }
    }

    static const char *const strs[] = { "", "a", "hello", "with space", "0123456789abcdef" };
    for (int i = 0; i < 2000; i++) {
        const char *s = strs[rng() % 5];
        unsigned width = (unsigned)(rng() % 20);
        snprintf(f, sizeof(f), "[%%%s%us]", rng() % 2 ? "-" : "", width);
        int n_want = snprintf(want, sizeof(want), f, s);
        int n_got = fmt_raw(f, s);
        if (n_want != n_got || strcmp(want, out) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "    %s with \"%s\": libc \"%s\", format.c \"%s\"\n", f, s,
                        want, out);
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    test_text();
    test_integers();
    test_pointers();
    test_width_flags();
    test_odd_formats();
    test_truncation();
    test_snprintf();
    test_random_vs_libc();
    return check_summary("print");
}
