/* 1,000 fork + exit + wait cycles leave the pager's frames_free and the
 * kernel's objects, mapping nodes and free pool frames exactly where they
 * were (after one warm-up cycle has grown the kernel's slabs). */
#include "../utest/utest.h"

#define CYCLES 1000

/* One cycle: the child makes one copy-on-write copy and exits. */
static int cycle(uint64_t a)
{
    int64_t pid = fork();
    if (pid == 0) {
        *(volatile uint64_t *)a = 99;
        exit(0);
    }
    int status = -1;
    return pid > 0 && wait_pid(pid, &status) == pid && status == 0 ? 0 : -1 - status;
}

int main(void)
{
    const char *name = "fork_exit_no_leak";
    int64_t a = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, 0);
    for (int i = 0; i < 16; i++)
        *(volatile uint64_t *)(a + i * 4096) = (uint64_t)i;   /* dirty pages to share */
    if (cycle((uint64_t)a))
        return utest_fail(name, "warm-up cycle failed", 0, 0);
    uint64_t before = utest_frames_free(), objects = sys_kernel_info(KINFO_OBJECTS),
             mappings = sys_kernel_info(KINFO_MAPPINGS),
             kframes = sys_kernel_info(KINFO_FREE_FRAMES);
    for (int i = 0; i < CYCLES; i++) {
        int r = cycle((uint64_t)a);
        if (r)
            return utest_fail(name, "cycle failed", (uint64_t)i, (uint64_t)r);
    }
    uint64_t after = utest_frames_free(), objects_after = sys_kernel_info(KINFO_OBJECTS),
             mappings_after = sys_kernel_info(KINFO_MAPPINGS),
             kframes_after = sys_kernel_info(KINFO_FREE_FRAMES);
    printf("utest: frames free before %lu, after %d fork/exit cycles %lu\n", before, CYCLES, after);
    if (after != before)
        return utest_fail(name, "frames leaked", before, after);
    if (objects_after != objects)
        return utest_fail(name, "kernel objects leaked", objects, objects_after);
    if (mappings_after != mappings)
        return utest_fail(name, "mapping nodes leaked", mappings, mappings_after);
    if (kframes_after != kframes)
        return utest_fail(name, "kernel frames leaked", kframes, kframes_after);
    return utest_pass(name);
}
