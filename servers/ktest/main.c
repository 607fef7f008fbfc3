/* ktest: runs every kernel test group and exits with the number failed,
 * which ends the run (0: success). */
#include "ktest.h"

void perf_run(void);
void crash_as_pager(void);

static int strstr_simple(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncmp(hay, needle, n))
            return 1;
    return 0;
}

int main(const struct root_info *ri)
{
    if (!ri || ri->magic != ROOT_INFO_MAGIC) {
        printf("TEST ktest fail no root info\n");
        return 1;
    }
    frames_setup(ri);
    if (strstr_simple(ri->cmdline, "deadlock")) {
        /* Wait for a message nobody can send: the kernel must notice. */
        handle_t ep;
        struct ipc_msg m;
        sys_endpoint_create(&ep);
        printf("ktest: waiting on an endpoint nobody else holds\n");
        sys_recv(ep, &m);
        printf("TEST deadlock fail the receive returned\n");
        return 1;
    }
    if (strstr_simple(ri->cmdline, "crashpager")) {
        crash_as_pager();
        return 1;
    }
    if (strstr_simple(ri->cmdline, "perf")) {
        perf_run();
        return 0;
    }
    printf("ktest: %lu frames to play with\n", ri->frames_total);
    int failed = 0;
    failed += tests_errors();
    failed += tests_ipc();
    failed += tests_sched();
    failed += tests_fault();
    failed += tests_life();
    failed += tests_mapdb();
    failed += tests_lifetimes();
    failed += test_window_all_frames(ri);
    printf("ktest: %d failed\n", failed);
    return failed;
}
