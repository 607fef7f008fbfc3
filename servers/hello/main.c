/*
 * hello: the smallest user program. Under the pager it greets with its
 * pid; as the root task (no pager) it shows what the kernel handed it.
 */
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/rootinfo.h>

int main(uint64_t arg)
{
    const struct root_info *ri = (const struct root_info *)arg;
    if (arg == ROOT_INFO_ADDR && ri->magic == ROOT_INFO_MAGIC) {
        printf("hello: root task; I own %lu frames (%lu MiB) in %u ranges, %u boot modules\n",
               ri->frames_total, ri->frames_total >> 8, ri->range_count, ri->module_count);
        return 0;
    }
    printf("hello: hello from user space, pid %ld\n", getpid());
    return 0;
}
