/* Local APIC timer; see apic.h. */
#include <arch/apic.h>
#include <arch/io.h>
#include <arch/paging.h>
#include <arch/trap.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>

#define MSR_APIC_BASE     0x1b
#define APIC_BASE_ENABLE  (1ull << 11)
#define APIC_BASE_X2APIC  (1ull << 10)

#define REG_ID            0x020
#define REG_EOI           0x0b0
#define REG_ICR_LOW       0x300
#define REG_ICR_HIGH      0x310
#define ICR_INIT          0x4500u   /* INIT, level assert */
#define ICR_STARTUP       0x4600u   /* start-up IPI; the vector is the start page */
#define ICR_PENDING       (1u << 12)
#define ICR_FIXED         0x4000u   /* fixed delivery, the vector in the low byte */
#define REG_SVR           0x0f0
#define REG_LVT_TIMER     0x320
#define REG_TIMER_INIT    0x380
#define REG_TIMER_CUR     0x390
#define REG_TIMER_DIV     0x3e0
#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define LVT_PERIODIC      (1u << 17)
#define DIV_BY_16         0x3

#define PIT_HZ            1193182u
#define CALIBRATE_MS      10

uint64_t apic_tsc_per_tick;
static uint32_t timer_count;        /* APIC timer counts per tick (the boot CPU's calibration) */
static volatile uint32_t *mmio;     /* NULL in x2APIC mode */

static uint32_t apic_read(uint32_t reg)
{
    return mmio ? mmio[reg / 4] : (uint32_t)rdmsr(0x800 + (reg >> 4));
}

static void apic_write(uint32_t reg, uint32_t v)
{
    if (mmio)
        mmio[reg / 4] = v;
    else
        wrmsr(0x800 + (reg >> 4), v);
}

void apic_eoi(void) { apic_write(REG_EOI, 0); }

/* Remap the 8259s away from the exception vectors, then mask them all. */
static void pic_disable(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);     /* ICW1: init, expect ICW4 */
    outb(0x21, 0xe0); outb(0xa1, 0xe8);     /* ICW2: vectors 0xe0-0xef */
    outb(0x21, 0x04); outb(0xa1, 0x02);     /* ICW3: cascade on IRQ2 */
    outb(0x21, 0x01); outb(0xa1, 0x01);     /* ICW4: 8086 mode */
    outb(0x21, 0xff); outb(0xa1, 0xff);     /* mask everything */
}

/* Counts APIC timer ticks (and TSC) over CALIBRATE_MS of PIT channel 2. */
static uint32_t calibrate(uint64_t *tsc_delta)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb0);                         /* ch2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    apic_write(REG_TIMER_DIV, DIV_BY_16);
    apic_write(REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    uint64_t t0 = rdtsc();
    apic_write(REG_TIMER_INIT, 0xffffffff);
    uint64_t spins = 0;
    while (!(inb(0x61) & 0x20))               /* OUT2 goes high at zero */
        if (++spins > 100000000)
            panic("apic: PIT channel 2 never counted down (no PIT?)");
    uint32_t elapsed = 0xffffffff - apic_read(REG_TIMER_CUR);
    *tsc_delta = rdtsc() - t0;
    apic_write(REG_TIMER_INIT, 0);
    return elapsed;
}

uint32_t apic_id(void)
{
    return mmio ? apic_read(REG_ID) >> 24 : apic_read(REG_ID);
}

/* Sends an IPI (ICR low word `low`) to the CPU with APIC id `id`. */
static void send_ipi(uint32_t id, uint32_t low)
{
    if (!mmio) {
        wrmsr(0x830, (uint64_t)id << 32 | low);     /* x2APIC: one write */
        return;
    }
    apic_write(REG_ICR_HIGH, id << 24);
    apic_write(REG_ICR_LOW, low);
    for (unsigned spins = 0; (apic_read(REG_ICR_LOW) & ICR_PENDING) && spins < 1000000; spins++)
        __asm__ volatile("pause");
}

void apic_delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + apic_tsc_per_tick * us / (1000000 / TIMER_HZ);
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

void apic_send_init(uint32_t id) { send_ipi(id, ICR_INIT); }
void apic_send_startup(uint32_t id, uint32_t page) { send_ipi(id, ICR_STARTUP | page); }
void apic_send_fixed(uint32_t id, uint32_t vector) { send_ipi(id, ICR_FIXED | vector); }

uint32_t apic_max_id(void)
{
    return mmio ? 0xfe : 0xfffffffe;  /* 0xff / ~0: everyone (broadcast) */
}

void apic_start_timer(void)
{
    apic_write(REG_TIMER_DIV, DIV_BY_16);
    apic_write(REG_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
    apic_write(REG_TIMER_INIT, timer_count);
}

void apic_init_ap(void)
{
    /* The mode the boot CPU runs in: MMIO at the same page on every CPU,
     * or x2APIC, which an AP may still have to be switched into. */
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
    wrmsr(MSR_APIC_BASE, mmio ? base : base | APIC_BASE_X2APIC);
    apic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

void apic_init(void)
{
    pic_disable();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_X2APIC)) {
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
        mmio = kmap_mmio(base & 0xffffff000ull);
    }
    apic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
    uint64_t tsc;
    uint32_t per_cal = calibrate(&tsc);
    if (per_cal == 0)
        panic("apic: timer did not count during calibration");
    uint32_t per_tick = per_cal * (1000 / TIMER_HZ) / CALIBRATE_MS;
    apic_tsc_per_tick = tsc * (1000 / TIMER_HZ) / CALIBRATE_MS;
    timer_count = per_tick;
    apic_start_timer();
    kprintf("apic: %s, timer %u counts per %d ms tick\n", mmio ? "xAPIC" : "x2APIC", per_tick,
            1000 / TIMER_HZ);
}
