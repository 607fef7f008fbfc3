/*
 * boot.cfg: the loader's configuration file on the ESP (\boot\boot.cfg).
 *
 *     # comment
 *     kernel  /boot/kernel.elf
 *     module  /boot/hello.elf        (0 to BI_MAX_MODULES lines, in order)
 *     cmdline test=kernel_pf         (rest of the line, optional)
 *
 * Pure parsing, host tested.
 */
#ifndef EFI_CONFIG_H
#define EFI_CONFIG_H

#include <stddef.h>
#include <boot/bootinfo.h>

#define CFG_PATH_MAX 128

struct boot_config {
    char     kernel[CFG_PATH_MAX];
    char     cmdline[BI_CMDLINE_MAX];
    unsigned module_count;
    char     modules[BI_MAX_MODULES][CFG_PATH_MAX];
};

/* Parses text[0..len). Returns NULL on success, or a reason with *line set
 * to the 1-based line it concerns (0 when it concerns the whole file). */
const char *config_parse(const char *text, size_t len, struct boot_config *cfg,
                         unsigned *line);

/* The file-name part of a path ("/boot/hello.elf" -> "hello.elf"). */
const char *config_basename(const char *path);

#endif
