/* The runner's output: one TEST line per test, the counts, the summary. */
#include "conformance.h"

static const char *const feature_names[] = { "fork", "commit", "lazy", "module", "stacked" };
#define FEATURE_COUNT (sizeof(feature_names) / sizeof(feature_names[0]))

/* The names of the bits in mask, space-separated ("none" for no bit). */
void feature_list(uint32_t mask, char *buf, unsigned size)
{
    unsigned n = 0;
    buf[0] = 0;
    for (unsigned bit = 0; bit < 32; bit++) {
        if (!(mask & (1u << bit)))
            continue;
        if (bit < FEATURE_COUNT)
            n += (unsigned)snprintf(buf + n, size - n, "%s%s", n ? " " : "", feature_names[bit]);
        else
            n += (unsigned)snprintf(buf + n, size - n, "%sbit%u", n ? " " : "", bit);
        if (n >= size)
            return;
    }
    if (!n)
        snprintf(buf, size, "none");
}

/* "conformance.xfail=NAME[,NAME]" on the command line: tests a case file
 * knows this pager fails (a bug of the pager's, reported elsewhere). Each
 * says "xfail" instead of "fail" and is not counted as failed; one that
 * passes is a failure, so the entry goes once the pager is fixed. */
static char xfail[24];

static int known_to_fail(const char *name)
{
    unsigned n = (unsigned)strlen(name);
    for (const char *p = xfail; *p;) {
        if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
            return 1;
        while (*p && *p++ != ',')
            ;
    }
    return 0;
}

static int passed, failed, skipped, known;

void report(const char *name, struct outcome o)
{
    char list[64];
    if (o.skip) {
        feature_list(o.skip, list, sizeof(list));
        printf("TEST %s skip needs %s\n", name, list);
        skipped++;
    } else if (known_to_fail(name)) {
        if (o.why) {
            printf("TEST %s xfail %s (%ld, %ld)\n", name, o.why, o.a, o.b);
            known++;
        } else {
            printf("TEST %s fail passed, but conformance.xfail names it (0, 0)\n", name);
            failed++;
        }
    } else if (o.why) {
        printf("TEST %s fail %s (%ld, %ld)\n", name, o.why, o.a, o.b);
        failed++;
    } else {
        printf("TEST %s pass\n", name);
        passed++;
    }
}

void report_start(void)
{
    getenv_cmdline("conformance.xfail", xfail, sizeof(xfail));
}

int report_end(void)
{
    printf("conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (known)
        printf("conformance: %d known to fail (conformance.xfail=%s)\n", known, xfail);
    return failed;
}
