/* Exhaustion: mmap and fork until memory runs out; the caller sees errors,
 * nothing crashes, and once the process that did it has exited every frame
 * is back. */
#include "../utest/utest.h"

#define CHUNK (8ull << 20)
#define MAX_CHUNKS 4096
#define MAX_KIDS 512

static int64_t kids[MAX_KIDS];

/* In a child: map and touch 8 MiB chunks until mmap says ENOMEM. */
static int mmap_until_full(void)
{
    unsigned n = 0;
    int64_t a;
    while (n < MAX_CHUNKS && (a = mmap(0, CHUNK, PROT_READ | PROT_WRITE, 0)) > 0) {
        for (uint64_t off = 0; off < CHUNK; off += 4096)
            *(volatile uint64_t *)(a + off) = off;      /* really use every page */
        n++;
    }
    printf("utest: %u chunks of 8 MiB mapped and touched before mmap failed with %ld, "
           "%lu frames left free\n", n, -a, utest_frames_free());
    return n > 0 && n < MAX_CHUNKS && a == -PG_ENOMEM ? 0 : 1;
}

/* In a child: fork children that hold their memory until fork fails. */
static int fork_until_full(void)
{
    unsigned n = 0;
    int64_t pid = 0;
    while (n < MAX_KIDS && (pid = fork()) > 0)
        kids[n++] = pid;
    if (pid == 0) {
        utest_block();                        /* hold the memory until killed */
        exit(0);
    }
    printf("utest: %u children before fork failed with %ld\n", n, -pid);
    for (unsigned i = 0; i < n; i++) {
        int status;
        kill_child(kids[i]);
        wait_pid(kids[i], &status);
    }
    return n > 0 && pid == -PG_ENOMEM ? 0 : 1;
}

static int in_child(const char *name, int (*fn)(void))
{
    /* A child that does nothing first: the pages of our own that fork,
     * wait and the statistics touch (the last text page, which the pager
     * copies, a deeper stack page) are ours before the count, not frames
     * that seem lost after it. */
    int status = -1;
    int64_t pid = fork();
    if (pid == 0)
        exit(0);
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return utest_fail(name, "the warm-up fork or wait failed", (uint64_t)-pid, 0);
    uint64_t base = utest_frames_free();
    pid = fork();
    if (pid == 0)
        exit(fn());
    status = -1;
    if (pid < 0 || wait_pid(pid, &status) != pid)
        return utest_fail(name, "fork or wait failed", (uint64_t)-pid, 0);
    uint64_t back = utest_frames_free();
    if (status != 0)
        return utest_fail(name, "no clean ENOMEM (child status)", (uint64_t)status, 0);
    if (back != base)
        return utest_fail(name, "frames not all back (before, after)", base, back);
    printf("utest: frames free back to %lu\n", back);
    return utest_pass(name);
}

int main(void)
{
    return in_child("exhaust_mmap", mmap_until_full) + in_child("exhaust_fork", fork_until_full);
}
