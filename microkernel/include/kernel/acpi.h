/*
 * The processors ACPI's MADT lists (through the RSDP the loader found).
 * Pure logic over a physical-to-virtual offset, so host tests can hand it
 * tables in a buffer.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdint.h>

/* Writes the local APIC ids of the enabled processors (not those only
 * online-capable: absent until hot-added)
 * into ids (at most max, in table order) and returns how many it found;
 * 0 when there is no usable RSDP, root table or MADT (bad signature,
 * length or checksum), so the caller runs on the boot CPU alone. Tables
 * are read at physical address + direct_base; none may extend past
 * phys_limit. */
unsigned acpi_cpus(uint64_t rsdp_phys, uint64_t direct_base, uint64_t phys_limit,
                   uint32_t *ids, unsigned max);

#endif
