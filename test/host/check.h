/*
 * The host unit tests' whole "framework": checks that count themselves and
 * report file:line and the failed expression, and a summary for main().
 *
 *     CHECK(cond)              any condition
 *     CHECK_EQ(a, b)           two integers, both printed on failure
 *     CHECK_ERR(reason, text)  a "NULL or reason" result: text NULL means
 *                              success is expected, otherwise the reason
 *                              must contain text
 *     return check_summary("elf");
 *
 * Failures do not stop the program: one run shows every broken check.
 */
#ifndef HOST_CHECK_H
#define HOST_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned check_count, check_failures;

static inline int check_fail(const char *file, int line)
{
    check_failures++;
    fprintf(stderr, "%s:%d: check failed: ", file, line);
    return 0;
}

static inline int check_true(int ok, const char *file, int line, const char *expr)
{
    check_count++;
    if (ok)
        return 1;
    check_fail(file, line);
    fprintf(stderr, "%s\n", expr);
    return 0;
}

static inline int check_eq(uint64_t a, uint64_t b, const char *file, int line,
                           const char *ea, const char *eb)
{
    check_count++;
    if (a == b)
        return 1;
    check_fail(file, line);
    fprintf(stderr, "%s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n", ea, eb, a, b);
    return 0;
}

static inline int check_err(const char *got, const char *want, const char *file,
                            int line, const char *expr)
{
    check_count++;
    if (want == NULL ? got == NULL : got != NULL && strstr(got, want) != NULL)
        return 1;
    check_fail(file, line);
    fprintf(stderr, "%s: expected %s%s%s, got %s%s%s\n", expr,
            want ? "\"" : "", want ? want : "success", want ? "\"" : "",
            got ? "\"" : "", got ? got : "success", got ? "\"" : "");
    return 0;
}

#define CHECK(cond) check_true(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(a, b) \
    check_eq((uint64_t)(a), (uint64_t)(b), __FILE__, __LINE__, #a, #b)
#define CHECK_ERR(reason, text) \
    check_err((reason), (text), __FILE__, __LINE__, #reason)

/* Prints one summary line; main() returns its result. */
/* The tests' comments rely on ASan and UBSan catching what they do not
 * check; a build without them says so on every run (CMake defines
 * HOST_SANITIZED when the runtime works). A binary that ran no check at
 * all fails: it cannot have tested anything. */
static inline int check_summary(const char *name)
{
#ifndef HOST_SANITIZED
    printf("host_%s: WARNING: built WITHOUT AddressSanitizer/UBSan (no runtime on this "
           "machine): out-of-bounds accesses and undefined behaviour go unnoticed\n", name);
#endif
    printf("host_%s: %u checks, %u failed\n", name, check_count, check_failures);
    if (check_count == 0) {
        printf("host_%s: FAIL: no check ran\n", name);
        return 1;
    }
    return check_failures != 0;
}

#endif
