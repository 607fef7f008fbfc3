/*
 * conf_child: the runner's child. It asks its parent which behaviour to
 * show (child.h), then shows it. None forks: every pager can run it. An
 * exit status below 7 says which step went wrong before the one the
 * runner waits for (a kill, or CHILD_EXIT_STATUS).
 */
#include "child.h"
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>

#define PAGE 4096ull
#define RW (PROT_READ | PROT_WRITE)
#define STACK_BOTTOM (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)

static volatile int data = 42, bss;
static const int constant = 5;

/* Its image and stack as the ELF file and ipc/pager.h say. It lets the
 * runner reach its wait first, so its exit answers a wait that was kept. */
static int image_then_exit(void)
{
    for (int i = 0; i < 100; i++)
        sys_yield();
    volatile uint8_t *deep = (volatile uint8_t *)STACK_BOTTOM;
    if (data != 42)
        return 1;
    if (bss != 0)
        return 2;
    if (*deep != 0)
        return 3;
    *deep = 1;
    bss = 1;
    return *deep == 1 && bss == 1 ? CHILD_EXIT_STATUS : 4;
}

static int read_guard_page(void)
{
    return *(volatile int *)(STACK_BOTTOM - 8);
}

static int write_rodata(void)
{
    *(volatile int *)&constant = 6;
    return 1;
}

static int call_data_page(void)
{
    int64_t a = mmap(0, PAGE, RW, 0);
    if (a < 0)
        return 1;
    *(volatile uint8_t *)a = 0xc3;      /* ret */
    ((void (*)(void))a)();
    return 2;
}

/* A written page made read-only still reads back; then the write. */
static int write_after_mprotect(void)
{
    int64_t a = mmap(0, PAGE, RW, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    if (a < 0)
        return 1;
    *p = 77;
    if (mprotect((uint64_t)a, PAGE, PROT_READ))
        return 2;
    if (*p != 77)
        return 3;
    *p = 78;
    return 4;
}

/* The first of two written pages unmapped; the second still reads
 * right; then the first is read. */
static int touch_after_munmap(void)
{
    int64_t a = mmap(0, 2 * PAGE, RW, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    if (a < 0)
        return 1;
    p[0] = 1;
    p[512] = 2;
    if (munmap((uint64_t)a, PAGE))
        return 2;
    if (p[512] != 2)
        return 3;
    return (int)p[0] + 4;
}

static int block(void)
{
    handle_t ep;
    struct ipc_msg m;
    sys_endpoint_create(&ep);
    sys_recv(ep, &m);                   /* nobody else holds ep: until killed */
    return 1;
}

static void sender(uint64_t value)
{
    struct ipc_msg m = { .tag = 1, .w = { value } };
    sys_send(CHILD_GIFT_HANDLE, &m);
    sys_exit(0);
}

/* The second thread is made in its own space (SELF_SPACE_HANDLE). */
static int thread_sends(void)
{
    int64_t stack = mmap(0, 4 * PAGE, RW, 0);
    handle_t t;
    if (stack < 0)
        return 1;
    if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)sender, (uint64_t)stack + 4 * PAGE - 8, 10,
                          42, &t) ||
        sys_thread_start(t))
        return 2;
    return block() + 2;
}

/* A page of our image nothing reads before the call: under a lazy pager
 * not mapped yet. debug_write touches it first, so it faults in and the
 * line is printed; the raw call alone would say IPC_EADDR. */
#define UNTOUCHED_LINE "conformance: printed from a page never touched before\n"
static const char untouched[4096] __attribute__((aligned(4096))) = UNTOUCHED_LINE;

static int print_untouched(void)
{
    /* (The length from the literal: strlen would touch the page itself.) */
    return debug_write(untouched, sizeof(UNTOUCHED_LINE) - 1) ? 1 : CHILD_EXIT_STATUS;
}

int main(void)
{
    struct ipc_msg m = { .tag = CHILD_ASK };
    if (sys_call(CHILD_GIFT_HANDLE, &m).status)
        return 100;                     /* no parent to ask */
    switch (m.w[0]) {
    case CHILD_EXIT:     return image_then_exit();
    case CHILD_WILD:     return read_guard_page();
    case CHILD_RO:       return write_rodata();
    case CHILD_NX:       return call_data_page();
    case CHILD_MPROTECT: return write_after_mprotect();
    case CHILD_MUNMAP:   return touch_after_munmap();
    case CHILD_BLOCK:    return block();
    case CHILD_THREAD:   return thread_sends();
    case CHILD_PRINT_UNTOUCHED: return print_untouched();
    }
    return 101;
}
