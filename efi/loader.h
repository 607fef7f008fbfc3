/* Pieces of the EFI loader that talk to firmware. */
#ifndef EFI_LOADER_H
#define EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>

#include <boot/exitcode.h>

/* A file read whole into pages of the given memory type. */
struct loaded_file {
    void    *data;
    uint64_t size;
    uint64_t pages;
};

/* Opens the volume this loader was started from. */
EFI_STATUS fs_open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root);

/* Reads an absolute '/'-separated path. Returns a reason or NULL. */
const char *fs_read(EFI_FILE_HANDLE root, const char *path, UINT32 memtype,
                    struct loaded_file *out);

/* Prints "loader: error: <what>: <why>" and the PANIC line, tells QEMU's
 * isa-debug-exit device to stop with the loader's failure status, and
 * returns the EFI status for efi_main to hand back to the firmware (which
 * shows its boot menu on real hardware). */
EFI_STATUS loader_fail(const char *what, const char *why);

/* Switches to the new page tables and jumps to the kernel; never returns.
 * Defined in handoff.S; its page is identity-mapped in the new tables. */
void handoff(uint64_t pml4_phys, uint64_t entry, uint64_t bootinfo_virt)
    __attribute__((noreturn));
extern char handoff_end[];

#endif
