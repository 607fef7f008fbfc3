/* 1,000 fork + exit + wait cycles leave frames_free exactly where it was. */
#include "../utest/utest.h"

#define CYCLES 1000

int main(void)
{
    const char *name = "fork_exit_no_leak";
    int64_t a = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, 0);
    for (int i = 0; i < 16; i++)
        *(volatile uint64_t *)(a + i * 4096) = (uint64_t)i;   /* dirty pages to share */
    uint64_t before = utest_frames_free();
    for (int i = 0; i < CYCLES; i++) {
        int64_t pid = fork();
        if (pid == 0) {
            *(volatile uint64_t *)a = 99;       /* one COW copy in the child */
            exit(0);
        }
        int status = -1;
        if (pid < 0 || wait_pid(pid, &status) != pid || status != 0)
            return utest_fail(name, "cycle failed", (uint64_t)i, (uint64_t)status);
    }
    uint64_t after = utest_frames_free();
    printf("utest: frames free before %lu, after %d fork/exit cycles %lu\n", before, CYCLES, after);
    if (after != before)
        return utest_fail(name, "frames leaked", before, after);
    return utest_pass(name);
}
