/* ktest: runs every kernel test group and exits with the number failed,
 * which ends the run (0: success). */
#include "ktest.h"

int main(const struct root_info *ri)
{
    if (!ri || ri->magic != ROOT_INFO_MAGIC) {
        printf("TEST ktest fail no root info\n");
        return 1;
    }
    frames_setup(ri);
    printf("ktest: %lu frames to play with\n", ri->frames_total);
    int failed = 0;
    failed += tests_errors();
    failed += tests_ipc();
    failed += tests_sched();
    failed += tests_fault();
    failed += tests_life();
    failed += test_window_all_frames(ri);
    printf("ktest: %d failed\n", failed);
    return failed;
}
