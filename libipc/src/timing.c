/* Summaries of timing samples; see ipc/timing.h. */
#include <ipc/timing.h>

static void sort(uint64_t *a, unsigned n)
{
    /* Shell sort: short, no recursion, fine for thousands of samples. */
    for (unsigned gap = n / 2; gap; gap /= 2)
        for (unsigned i = gap; i < n; i++)
            for (unsigned j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
                uint64_t t = a[j];
                a[j] = a[j - gap];
                a[j - gap] = t;
            }
}

void timing_summarize(uint64_t *s, unsigned n, struct timing_stats *out)
{
    if (n == 0) {
        *out = (struct timing_stats){0};
        return;
    }
    sort(s, n);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += s[i];
    out->min = s[0];
    out->median = s[n / 2];
    out->avg = sum / n;
    out->max = s[n - 1];
}
