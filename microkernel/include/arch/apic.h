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

/* TSC counts per timer tick, measured during calibration. */
extern uint64_t apic_tsc_per_tick;

#endif
