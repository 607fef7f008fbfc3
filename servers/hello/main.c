/*
 * hello: the smallest user program. Started as the root task in the
 * default boot (until the pager takes that place), it greets, shows what
 * the kernel handed it, and exits, which ends the run.
 */
#include <ipc/print.h>
#include <ipc/rootinfo.h>
#include <ipc/syscall.h>

int main(const struct root_info *ri)
{
    printf("hello: hello from user space\n");
    if (ri && ri->magic == ROOT_INFO_MAGIC)
        printf("hello: I own %lu frames (%lu MiB) in %u ranges; %u boot modules\n",
               ri->frames_total, ri->frames_total >> 8, ri->range_count, ri->module_count);
    return 0;
}
