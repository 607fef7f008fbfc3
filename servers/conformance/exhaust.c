/* Memory runs out: mmap says so (PG_ENOMEM, or PG_ELIMIT for a
 * per-process limit), the caller lives on, and munmap gives it all back. */
#include "conformance.h"

#define BIG   (64ull << 20)
#define SMALL (1ull << 20)        /* the last size tried: memory is full then */
#define MAX_CHUNKS 4096

static struct { int64_t addr; uint64_t size; } chunk[MAX_CHUNKS];

/* Every page of a lazy pager's chunk is touched, so the frames are really
 * taken and a commit limit is held to its promise (no fault). */
static void use(uint64_t a, uint64_t size)
{
    if (features & PG_FEATURE_LAZY)
        for (uint64_t off = 0; off < size; off += PAGE)
            *(volatile uint64_t *)(a + off) = off;
}

/* Chunks of 64 MiB while mmap gives them, then halving down to 1 MiB, so
 * that memory is full however it is cut; returns the last error. */
static int64_t fill(unsigned *n)
{
    int64_t a = 0;
    for (uint64_t size = BIG; size >= SMALL; size /= 2) {
        while (*n < MAX_CHUNKS && (a = mmap(0, size, RW, 0)) > 0) {
            use((uint64_t)a, size);
            chunk[*n].addr = a;
            chunk[(*n)++].size = size;
        }
        if (*n == MAX_CHUNKS)
            break;
    }
    return a;
}

static struct outcome exhaust_mmap(void)
{
    /* A lazy pager without a commit limit can only run out at a touch,
     * and a fault then kills: no clean error to expect. */
    if ((features & PG_FEATURE_LAZY) && !(features & PG_FEATURE_COMMIT))
        return skip(PG_FEATURE_COMMIT);
    struct pager_stats before = stats();
    unsigned n = 0;
    int64_t last = fill(&n), r = 0;
    uint64_t mib = 0;
    for (unsigned i = 0; i < n; i++)
        mib += chunk[i].size >> 20;
    printf("conformance: %lu MiB in %u chunks before mmap said %ld, %lu frames free\n", mib, n,
           -last, stats().frames_free);
    for (unsigned i = 0; i < n && !r; i++)
        r = munmap((uint64_t)chunk[i].addr, chunk[i].size);
    struct pager_stats after = stats();
    if (n == 0 || n == MAX_CHUNKS)
        return fail("mmap did not run out (chunks, max)", n, MAX_CHUNKS);
    if (last != -(int64_t)PG_ENOMEM && last != -(int64_t)PG_ELIMIT)
        return fail("mmap ran out with the wrong error (got, PG_ENOMEM)", last,
                    -(int64_t)PG_ENOMEM);
    if (r)
        return fail("munmap failed", r, 0);
    if (after.frames_free != before.frames_free || after.committed != before.committed)
        return fail("frames_free or committed not back after munmap (frames, committed)",
                    (int64_t)(before.frames_free - after.frames_free),
                    (int64_t)(after.committed - before.committed));
    /* And memory works again: as big a chunk as the first one (a stacked
     * pager may have less than BIG in all). */
    uint64_t again = chunk[0].size;
    int64_t a = mmap(0, again, RW, 0);
    if (a < 0)
        return fail("mmap after the exhaustion failed", a, 0);
    use((uint64_t)a, again);
    r = munmap((uint64_t)a, again);
    return r ? fail("munmap failed", r, 0) : pass();
}

const struct conf_test exhaust_tests[] = {
    { "mmap_exhaustion", 0, exhaust_mmap },
    { 0, 0, 0 },
};
