/* Local APIC: the timer that drives preemption. The legacy PICs are
 * masked; xAPIC (MMIO) or x2APIC (MSRs), whichever the firmware left on. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdint.h>

#define TIMER_HZ 100        /* 10 ms time slices */

/* Masks the 8259s, enables the local APIC, calibrates its timer against the
 * PIT and starts it periodic at TIMER_HZ on VEC_TIMER. */
void apic_init(void);
void apic_eoi(void);

/* This CPU's local APIC id; the highest id an IPI can name one CPU by in
 * the mode the APICs run in (xAPIC 8 bits, x2APIC 32; the top value is a
 * broadcast). */
uint32_t apic_id(void);
uint32_t apic_max_id(void);
/* Starting an application processor (smp.c): INIT, then a start-up IPI
 * whose vector is the physical page (address >> 12) it starts at. */
void apic_send_init(uint32_t id);
void apic_send_startup(uint32_t id, uint32_t page);
/* An interrupt on `vector` to the CPU with APIC id `id`. */
void apic_send_fixed(uint32_t id, uint32_t vector);
/* Enables this application processor's local APIC. */
void apic_init_ap(void);
/* Starts this CPU's timer, periodic at TIMER_HZ on VEC_TIMER, with the
 * boot CPU's calibration (apic_init): one machine, one timer frequency. */
void apic_start_timer(void);
/* Busy-waits about us microseconds by the TSC (calibrated by apic_init). */
void apic_delay_us(uint64_t us);

/* TSC counts per timer tick, measured during calibration. */
extern uint64_t apic_tsc_per_tick;

#endif
