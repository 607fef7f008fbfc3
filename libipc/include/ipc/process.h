/* Process services for programs started by a pager (ipc/pager.h). */
#ifndef IPC_PROCESS_H
#define IPC_PROCESS_H

#include <ipc/pager.h>
#include <stddef.h>
#include <stdint.h>

/* As in POSIX where it makes sense; errors come back as -PG_E*. */
int64_t fork(void);                          /* child pid, 0 in the child */
void exit(int status) __attribute__((noreturn));
int64_t wait_pid(int64_t pid, int *status);  /* pid 0: any child */
int64_t getpid(void);
int64_t spawn(const char *module_name);      /* new child running a boot module */
/* The same, handing the child a copy of `gift` as CHILD_GIFT_HANDLE. */
int64_t spawn_with(const char *module_name, handle_t gift);
/* Value of key=value on the kernel command line into buf (<= 23 chars);
 * 0, or -PG_ENOENT when absent. */
int getenv_cmdline(const char *key, char *buf, unsigned size);
/* key=N on the kernel command line as a number (cmdline_number), or dflt
 * when it is absent or not a number. */
uint64_t getenv_number(const char *key, uint64_t dflt);
int64_t kill_child(int64_t pid);             /* ends a child (status 0x80) */
/* Returns the address, or a value with (v < 0) = -PG_E*. */
int64_t mmap(uint64_t addr, uint64_t length, int prot, int flags);
int64_t mprotect(uint64_t addr, uint64_t length, int prot);
int64_t munmap(uint64_t addr, uint64_t length);

struct pager_stats {
    uint64_t page_faults, minor_faults, cow_faults_handled;
    uint64_t copies_performed, zero_fills, frames_free;
    uint64_t frames_total, processes, committed;   /* committed: pages promised (0: no commit) */
};
int pager_stats(struct pager_stats *out);    /* 0 or -PG_E* */
/* PG_INFO: the pager's PG_FEATURE_* bits (or -PG_E*), its name into
 * name[16] when name is not NULL. */
int64_t pager_info(char *name);
/* PG_MODULE: the address of module `name`'s bytes mapped read-only in our
 * space (or -PG_E*), its size in *size. */
int64_t map_module(const char *name, uint64_t *size);
void pager_print_stats(void);

#endif
