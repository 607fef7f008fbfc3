/*
 * `tracetool faults`: every fault round trip on one line of key=value
 * pairs, for tests and scripts, then the medians. n counts the FAULT
 * records by threads (page faults and other exceptions alike), in record
 * order, so `svg --fault N` draws line n=N. Times are the records' tsc
 * (raised where a record's tsc went backwards, so no phase is negative);
 * what was never seen prints as "-" and stays out of the medians.
 */
#include "tracetool.h"

#include <inttypes.h>
#include <stdlib.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t median_u64(uint64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_u64);
    return v[n / 2];
}

static void put_time(FILE *f, const char *key, const struct trace *tr, size_t i)
{
    if (i == TT_NONE)
        fprintf(f, " %s=-", key);
    else
        fprintf(f, " %s=%" PRIu64, key, tr->t[i]);
}

/* Prints "key=to-from" and keeps it for the median when both were seen. */
static void put_phase(FILE *f, const char *key, const struct trace *tr, size_t from,
                      size_t to, uint64_t *keep, size_t *nkeep)
{
    if (from == TT_NONE || to == TT_NONE) {
        fprintf(f, " %s=-", key);
        return;
    }
    uint64_t d = tr->t[to] - tr->t[from];
    keep[(*nkeep)++] = d;
    fprintf(f, " %s=%" PRIu64, key, d);
}

static void put_median(FILE *f, const char *key, uint64_t *v, size_t n)
{
    if (n == 0)
        fprintf(f, " %s=-", key);
    else
        fprintf(f, " %s=%" PRIu64, key, median_u64(v, n));
}

void faults_write(FILE *f, const struct analysis *a)
{
    const struct trace *tr = a->tr;
    size_t nf = a->rt.nfault, nd = 0, nh = 0, nb = 0, nt = 0;
    uint64_t *deliver = xcalloc(nf, 8), *handle = xcalloc(nf, 8);
    uint64_t *back = xcalloc(nf, 8), *total = xcalloc(nf, 8);
    for (size_t i = 0; i < a->rt.n; i++) {
        const struct roundtrip *rt = &a->rt.v[i];
        if (rt->kind != RT_FAULT)
            continue;
        fprintf(f, "FAULTRT n=%zu thread=%u space=%u", rt->nth, rt->client, rt->cspace);
        if (rt->recv != TT_NONE)
            fprintf(f, " pager=%u pspace=%u", rt->server, rt->sspace);
        else
            fprintf(f, " pager=- pspace=-");
        fprintf(f, " addr=0x%" PRIx64, tr->rec[rt->start].words[0]);
        put_time(f, "fault", tr, rt->start);
        put_time(f, "recv", tr, rt->recv);
        put_time(f, "reply", tr, rt->reply);
        put_time(f, "map", tr, rt->map);
        put_time(f, "resume", tr, rt->resume);
        put_phase(f, "deliver", tr, rt->start, rt->recv, deliver, &nd);
        put_phase(f, "handle", tr, rt->recv, rt->reply, handle, &nh);
        put_phase(f, "back", tr, rt->reply, rt->resume, back, &nb);
        put_phase(f, "total", tr, rt->start, rt->resume, total, &nt);
        fputc('\n', f);
    }
    fprintf(f, "FAULTSUM count=%zu", nf);
    put_median(f, "median_total", total, nt);
    put_median(f, "median_deliver", deliver, nd);
    put_median(f, "median_handle", handle, nh);
    put_median(f, "median_back", back, nb);
    fputc('\n', f);
    free(deliver);
    free(handle);
    free(back);
    free(total);
}
