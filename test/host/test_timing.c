/*
 * Host tests for the benchmark summaries (libipc/src/timing.c): samples
 * come back sorted, and min, median (element n/2 of the sorted samples),
 * average (rounded down) and max are right for hand-picked arrays, the
 * edge sizes 0 and 1, duplicates, sorted and reverse-sorted input, and
 * random arrays checked against qsort.
 *
 * Samples always live in a heap block of exactly n elements, so a sort
 * that strays past either end is caught by the sanitizer build.
 */
#include <ipc/timing.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

static uint64_t *copy_of(const uint64_t *v, unsigned n)
{
    uint64_t *a = malloc((n ? n : 1) * sizeof(*a));
    memcpy(a, v, n * sizeof(*a));
    return a;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int is_sorted(const uint64_t *a, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

/* Summarizes a copy of v[0..n) and checks the four numbers and that the
 * copy is v sorted. */
static void expect_at(const char *file, int line, const uint64_t *v, unsigned n,
                      uint64_t min, uint64_t median, uint64_t avg, uint64_t max)
{
    uint64_t *a = copy_of(v, n), *ref = copy_of(v, n);
    struct timing_stats st;
    memset(&st, 0xee, sizeof(st));
    timing_summarize(a, n, &st);
    qsort(ref, n, sizeof(*ref), cmp_u64);
    check_eq(st.min, min, file, line, "min", "expected");
    check_eq(st.median, median, file, line, "median", "expected");
    check_eq(st.avg, avg, file, line, "avg", "expected");
    check_eq(st.max, max, file, line, "max", "expected");
    check_true(memcmp(a, ref, n * sizeof(*a)) == 0, file, line, "samples sorted in place");
    free(a);
    free(ref);
}
#define EXPECT(v, min, median, avg, max) \
    expect_at(__FILE__, __LINE__, (v), sizeof(v) / sizeof((v)[0]), min, median, avg, max)

/* Small arrays worked out by hand; with an even count the median is the
 * upper of the two middle samples, and the average rounds down. */
static void test_known(void)
{
    static const uint64_t odd[] = { 5, 3, 9, 1, 7 };
    EXPECT(odd, 1, 5, 5, 9);
    static const uint64_t even[] = { 4, 1, 3, 2 };
    EXPECT(even, 1, 3, 2, 4);                   /* sum 10 / 4 */
    static const uint64_t two[] = { 100, 1 };
    EXPECT(two, 1, 100, 50, 100);
    static const uint64_t three[] = { 30, 10, 20 };
    EXPECT(three, 10, 20, 20, 30);
    static const uint64_t big[] = { 1000000000000ull, 3, 999, 12345678, 7, 7000 };
    /* sorted: 3 7 999 7000 12345678 1e12; sum 1000012353687 */
    EXPECT(big, 3, 7000, 1000012353687ull / 6, 1000000000000ull);
}

/* Samples near 2^64 sort correctly; min, median and max are exact. (The
 * average is not checked here: the sum wraps, which cycle counts never
 * come near.) */
static void test_extremes(void)
{
    uint64_t v[] = { UINT64_MAX, 0, UINT64_MAX - 1, 1ull << 63, (1ull << 63) - 1 };
    struct timing_stats st;
    timing_summarize(v, 5, &st);
    CHECK_EQ(st.min, 0);
    CHECK_EQ(st.median, 1ull << 63);
    CHECK_EQ(st.max, UINT64_MAX);
    CHECK(v[0] == 0 && v[1] == (1ull << 63) - 1 && v[2] == 1ull << 63 &&
          v[3] == UINT64_MAX - 1 && v[4] == UINT64_MAX);
}

/* One sample is its own min, median, average and max. */
static void test_one(void)
{
    static const uint64_t one[] = { 42 };
    EXPECT(one, 42, 42, 42, 42);
    static const uint64_t zero[] = { 0 };
    EXPECT(zero, 0, 0, 0, 0);
    static const uint64_t top[] = { UINT64_MAX };
    EXPECT(top, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
}

/* No samples: all four are 0, and the array is not touched. */
static void test_empty(void)
{
    struct timing_stats st;
    memset(&st, 0xee, sizeof(st));
    uint64_t guard[2] = { 9, 8 };
    timing_summarize(guard, 0, &st);
    CHECK_EQ(st.min, 0);
    CHECK_EQ(st.median, 0);
    CHECK_EQ(st.avg, 0);
    CHECK_EQ(st.max, 0);
    CHECK(guard[0] == 9 && guard[1] == 8);

    memset(&st, 0xee, sizeof(st));
    timing_summarize(NULL, 0, &st);
    CHECK(st.min == 0 && st.median == 0 && st.avg == 0 && st.max == 0);
}

/* Repeated values. */
static void test_duplicates(void)
{
    static const uint64_t same[] = { 7, 7, 7, 7 };
    EXPECT(same, 7, 7, 7, 7);
    static const uint64_t mixed[] = { 3, 1, 3, 1, 3, 2, 2 };
    /* sorted: 1 1 2 2 3 3 3; sum 15 */
    EXPECT(mixed, 1, 2, 2, 3);
    static const uint64_t pairs[] = { 5, 5, 1, 1 };
    EXPECT(pairs, 1, 5, 3, 5);
    static const uint64_t outlier[] = { 10, 10, 10, 10, 10, 10, 10, 10, 10, 1000 };
    EXPECT(outlier, 10, 10, 109, 1000);
}

/* Input already in order, and in reverse order, of several lengths. */
static void test_sorted_and_reversed(void)
{
    static const unsigned lens[] = { 2, 3, 8, 31, 100, 1000 };
    for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        unsigned n = lens[k];
        uint64_t *up = malloc(n * sizeof(*up)), *down = malloc(n * sizeof(*down));
        uint64_t sum = 0;
        for (unsigned i = 0; i < n; i++) {
            up[i] = 10 + 3ull * i;
            down[i] = 10 + 3ull * (n - 1 - i);
            sum += up[i];
        }
        uint64_t median = 10 + 3ull * (n / 2);
        expect_at(__FILE__, __LINE__, up, n, 10, median, sum / n, 10 + 3ull * (n - 1));
        expect_at(__FILE__, __LINE__, down, n, 10, median, sum / n, 10 + 3ull * (n - 1));
        free(up);
        free(down);
    }
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state ^ (rng_state >> 29);
}

/* The summary of v against a reference computed from qsort. */
static int matches_reference(const uint64_t *v, unsigned n)
{
    uint64_t *a = copy_of(v, n), *ref = copy_of(v, n);
    struct timing_stats st;
    timing_summarize(a, n, &st);
    qsort(ref, n, sizeof(*ref), cmp_u64);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += ref[i];
    int ok = memcmp(a, ref, n * sizeof(*a)) == 0 && is_sorted(a, n) && st.min == ref[0] &&
             st.median == ref[n / 2] && st.avg == sum / n && st.max == ref[n - 1];
    free(a);
    free(ref);
    return ok;
}

/*
 * 1000 random samples (cycle-count sized, 0..2^40, so the sum cannot
 * wrap) against qsort; then 1000 random samples from a few values (heavy
 * duplicates); then every length from 1 to 300 with random contents, which
 * walks the Shell sort through many gap sequences.
 */
static void test_random(void)
{
    unsigned n = 1000;
    uint64_t *v = malloc(n * sizeof(*v));
    for (unsigned i = 0; i < n; i++)
        v[i] = rng() >> 24;
    CHECK(matches_reference(v, n));

    /* The exact numbers, spelled out for this one. */
    uint64_t *ref = copy_of(v, n);
    qsort(ref, n, sizeof(*ref), cmp_u64);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += v[i];
    expect_at(__FILE__, __LINE__, v, n, ref[0], ref[500], sum / 1000, ref[999]);
    free(ref);

    for (unsigned i = 0; i < n; i++)
        v[i] = rng() % 5;
    CHECK(matches_reference(v, n));
    free(v);

    unsigned bad = 0;
    for (unsigned len = 1; len <= 300; len++) {
        uint64_t *w = malloc(len * sizeof(*w));
        for (unsigned i = 0; i < len; i++)
            w[i] = len % 3 ? rng() >> 30 : rng() % 16;
        if (!matches_reference(w, len))
            bad++;
        free(w);
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    test_known();
    test_extremes();
    test_one();
    test_empty();
    test_duplicates();
    test_sorted_and_reversed();
    test_random();
    return check_summary("timing");
}
