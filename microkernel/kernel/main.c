/*
 * Kernel entry (from arch/x86_64/entry.S): take over the CPU from the
 * firmware's settings, check what the loader handed us, report, and run
 * what the command line asks for.
 */
#include <arch/apic.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/paging.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <kernel/account.h>
#include <kernel/bkl.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/lib.h>
#include <kernel/panic.h>
#include <kernel/root.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/serial.h>
#include <kernel/space.h>
#include <kernel/trace.h>

void kmain(struct bootinfo *bi) __attribute__((noreturn));
extern char boot_stack_top[];

void kmain(struct bootinfo *bi)
{
    gdt_init(&cpu0.tss);
    idt_init();
    percpu_init((uint64_t)boot_stack_top);   /* GS: current and the rest (percpu.h) */
    serial_init();
    kprintf("\nmicrokernel %s\n", KERNEL_VERSION);
    const char *err = boot_check(bi);
    if (err)
        panic("boot: %s", err);
    paging_drop_identity();
    cpu_init();
    space_init();
    paging_guard_kernel_stack();

    uint64_t trace_bytes = trace_configure(bi->cmdline);
    uint64_t usable = boot_add_memory(bi, trace_bytes);
    paging_init_shadow(bi->direct_map_size);
    trace_start();                    /* its buffer leaves the pool at once */
    unsigned modules = boot_report_modules(bi);
    char features[128];
    kprintf("cmdline: %s\n", bi->cmdline[0] ? bi->cmdline : "(empty)");
    apic_init();
    unsigned cpus = smp_start(bi);    /* their stacks and tables leave the pool too */
    /* The root task may use the whole pool; everyone else leaves it a
     * sixteenth (at least 64 frames) to go on with. */
    uint64_t pool = kernel_frames.free_frames;
    account_init_root(pool, pool / 16 > 64 ? pool / 16 : 64);
    kprintf("BOOT ok kernel=%s usable_mib=%lu modules=%u cpus=%u cpu=%s\n", KERNEL_VERSION,
            usable >> 20, modules, cpus, cpu_feature_string(features, sizeof(features)));
    if (modules != bi->module_count)
        panic("boot: %u of %u modules are not valid programs", bi->module_count - modules,
              bi->module_count);

    char test[32];
    if (cmdline_get(bi->cmdline, "test", test, sizeof(test)) && selftest_run(test))
        machine_exit(EXIT_TESTFAIL_VALUE);
    char idle[8];
    sched_idle_exit = cmdline_get(bi->cmdline, "idle", idle, sizeof(idle)) && !strcmp(idle, "exit");

    if (bi->module_count == 0) {
        kprintf("kernel: no root task module, nothing to run; powering off\n");
        machine_exit(EXIT_SUCCESS_VALUE);
    }
    smp_run();                        /* the other CPUs wait for the lock */
    if ((err = root_start(bi)))
        panic("root task: %s", err);
    schedule();
    if (smp_running)
        return_to_user_smp();
    return_to_user();
}
