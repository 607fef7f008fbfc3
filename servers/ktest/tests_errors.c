/* Every system call error path answers with a status, never a crash. */
#include "ktest.h"

struct check {
    const char *what;
    uint64_t got, want;
};

static int verdict(const char *name, const struct check *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (c[i].got != c[i].want)
            return test_fail(name, "%s: status %lu, expected %lu", c[i].what, c[i].got,
                             c[i].want);
    return test_pass(name);
}
#define VERDICT(name, checks) verdict(name, checks, sizeof(checks) / sizeof(checks[0]))

static uint64_t ipc_nr(uint64_t nr)
{
    struct ipc_msg m = {0};
    return sys_ipc(nr, 0, &m).status;
}

static int bad_numbers(void)
{
    struct check c[] = {
        /* Every light number is taken (SYS_SPACE_LIMIT is 15): the light
         * path must still refuse what lies past the switching calls. */
        { "light stub, first unused number", sys_light4(SYS_COUNT, 0, 0, 0, 0).status,
          IPC_ENOSYS },
        { "light stub, 2^63", sys_light4(1ull << 63, 0, 0, 0, 0).status, IPC_ENOSYS },
        { "first unused switching number", ipc_nr(SYS_COUNT), IPC_ENOSYS },
        { "switching 2^40", ipc_nr(1ull << 40), IPC_ENOSYS },
        { "all ones", ipc_nr(~0ull), IPC_ENOSYS },
    };
    return VERDICT("syscall_bad_number", c);
}

static int bad_handles(void)
{
    struct ipc_msg m = {0};
    handle_t ep, t;
    sys_endpoint_create(&ep);
    sys_handle_close(ep);              /* now stale */
    struct check c[] = {
        { "call on handle 0", sys_call(0, &m).status, IPC_EHANDLE },
        { "call on 9999", sys_call(9999, &m).status, IPC_EHANDLE },
        { "call on 2^63", sys_call(1ull << 63, &m).status, IPC_EHANDLE },
        { "call on a closed handle", sys_call(ep, &m).status, IPC_EHANDLE },
        { "close twice", sys_handle_close(ep), IPC_EHANDLE },
        { "map into handle 5000", sys_map(5000, 0x400000, 0x400000, 1, PAGE_READ),
          IPC_EHANDLE },
        { "thread create in 77", sys_thread_create(77, 0x400000, 0x1000, 1, 0, &t),
          IPC_EHANDLE },
        { "stop handle 4444", sys_thread_stop(4444), IPC_EHANDLE },
    };
    return VERDICT("syscall_bad_handle", c);
}

static int wrong_types(void)
{
    struct ipc_msg m = {0};
    handle_t ep, t;
    sys_endpoint_create(&ep);
    struct check c[] = {
        { "call on a space", sys_call(HANDLE_ROOT_SPACE, &m).status, IPC_ETYPE },
        { "recv on a thread", sys_recv(HANDLE_ROOT_THREAD, &m).status, IPC_ETYPE },
        { "map into an endpoint", sys_map(ep, 0x400000, 0x400000, 1, PAGE_READ), IPC_ETYPE },
        { "start an endpoint", sys_thread_start(ep), IPC_ETYPE },
        { "thread in an endpoint", sys_thread_create(ep, 0x400000, 0x1000, 1, 0, &t),
          IPC_ETYPE },
        { "space as pager", sys_space_set_pager(HANDLE_ROOT_SPACE, HANDLE_ROOT_SPACE),
          IPC_ETYPE },
        { "pager of an endpoint", sys_space_set_pager(ep, ep), IPC_ETYPE },
    };
    int r = VERDICT("syscall_wrong_type", c);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    return r;
}

static int missing_rights(void)
{
    struct ipc_msg m = {0};
    handle_t ep, send_only, recv_only, weak_space, none, t;
    sys_endpoint_create(&ep);
    sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_SEND, 0, &send_only);
    sys_handle_grant(HANDLE_ROOT_SPACE, ep, RIGHT_RECV, 0, &recv_only);
    sys_handle_grant(HANDLE_ROOT_SPACE, HANDLE_ROOT_SPACE, RIGHT_THREAD, 0, &weak_space);
    struct check c[] = {
        { "recv with send-only", sys_recv(send_only, &m).status, IPC_ERIGHTS },
        { "send with recv-only", sys_send(recv_only, &m).status, IPC_ERIGHTS },
        { "destroy without the right", sys_endpoint_destroy(send_only), IPC_ERIGHTS },
        { "map without RIGHT_MAP", sys_map(weak_space, 0x400000, 0x400000, 1, PAGE_READ),
          IPC_ERIGHTS },
        { "grant without RIGHT_GRANT",
          sys_handle_grant(HANDLE_ROOT_SPACE, send_only, RIGHT_SEND, 0, &none), IPC_ERIGHTS },
        { "grant into a space without RIGHT_MAP",
          sys_handle_grant(weak_space, ep, RIGHT_SEND, 0, &none), IPC_ERIGHTS },
        { "pager handle without RIGHT_SEND",
          sys_space_set_pager(HANDLE_ROOT_SPACE, recv_only), IPC_ERIGHTS },
        { "pager handle without RIGHT_GRANT",
          sys_space_set_pager(HANDLE_ROOT_SPACE, send_only), IPC_ERIGHTS },
        { "pager of a space without RIGHT_MAP",
          sys_space_set_pager(weak_space, ep), IPC_ERIGHTS },
        { "priority above the caller's",
          sys_thread_create(HANDLE_ROOT_SPACE, 0x400000, 0x1000, 13, 0, &t), IPC_EINVAL },
        { "priority out of range",
          sys_thread_create(HANDLE_ROOT_SPACE, 0x400000, 0x1000, 99, 0, &t), IPC_EINVAL },
    };
    int r = VERDICT("syscall_missing_right", c);
    sys_handle_close(send_only);
    sys_handle_close(recv_only);
    sys_handle_close(weak_space);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    return r;
}

static int bad_pointers(void)
{
    extern char __image_start[];
    handle_t t;
    struct check kernel[] = {
        { "puts from the direct map", sys_debug_puts((const char *)0xffff800000000000ull, 8),
          IPC_EADDR },
        { "puts from kernel text", sys_debug_puts((const char *)0xffffffff80000000ull, 8),
          IPC_EADDR },
        { "puts straddling into the kernel half",
          sys_debug_puts((const char *)0x00007ffffffffff0ull, 64), IPC_EADDR },
        { "map to a kernel address",
          sys_map(HANDLE_ROOT_SPACE, (uint64_t)__image_start, 0xffff800000000000ull, 1,
                  PAGE_READ), IPC_EADDR },
        { "thread entry in the kernel",
          sys_thread_create(HANDLE_ROOT_SPACE, 0xffffffff80000000ull, 0x1000, 1, 0, &t),
          IPC_EADDR },
    };
    struct check noncanon[] = {
        { "puts from 0x0000800000000000", sys_debug_puts((const char *)0x0000800000000000ull, 4),
          IPC_EADDR },
        { "puts from 0x8000000000000000", sys_debug_puts((const char *)0x8000000000000000ull, 4),
          IPC_EADDR },
        { "puts with a wrapping length", sys_debug_puts((const char *)0x400000, ~0ull),
          IPC_EINVAL },
        { "map from a non-canonical source",
          sys_map(HANDLE_ROOT_SPACE, 0x0000900000000000ull, 0x10000000, 1, PAGE_READ),
          IPC_EADDR },
    };
    struct check unmapped[] = {
        { "puts from an unmapped page", sys_debug_puts((const char *)0x10000, 4), IPC_EADDR },
        { "puts running off the end of the image",
          sys_debug_puts((const char *)0x3ffffc, 16), IPC_EADDR },
        { "map from an unmapped page",
          sys_map(HANDLE_ROOT_SPACE, 0x20000000, 0x30000000, 1, PAGE_READ), IPC_EADDR },
        { "map with more rights than the source has",
          sys_map(HANDLE_ROOT_SPACE, (uint64_t)__image_start, 0x30000000, 1,
                  PAGE_READ | PAGE_WRITE), IPC_ERIGHTS },
    };
    return VERDICT("syscall_kernel_pointer", kernel) +
           VERDICT("syscall_noncanonical_pointer", noncanon) +
           VERDICT("syscall_unmapped_buffer", unmapped);
}

static int bad_arguments(void)
{
    extern char __image_start[];
    uint64_t img = (uint64_t)__image_start;
    handle_t none;
    struct ipc_msg m = {0};
    struct check c[] = {
        { "map unaligned source", sys_map(HANDLE_ROOT_SPACE, img + 1, 0x30000000, 1, PAGE_READ),
          IPC_EADDR },
        { "map unaligned destination",
          sys_map(HANDLE_ROOT_SPACE, img, 0x30000010, 1, PAGE_READ), IPC_EADDR },
        { "map zero pages", sys_map(HANDLE_ROOT_SPACE, img, 0x30000000, 0, PAGE_READ),
          IPC_EINVAL },
        { "map too many pages",
          sys_map(HANDLE_ROOT_SPACE, img, 0x30000000, MAP_MAX_PAGES + 1, PAGE_READ), IPC_EINVAL },
        { "map with no rights", sys_map(HANDLE_ROOT_SPACE, img, 0x30000000, 1, 0), IPC_EINVAL },
        { "map with unknown rights", sys_map(HANDLE_ROOT_SPACE, img, 0x30000000, 1, 0xff),
          IPC_EINVAL },
        { "map the last user page",
          sys_map(HANDLE_ROOT_SPACE, img, USER_MAP_TOP, 1, PAGE_READ | PAGE_EXEC), IPC_EADDR },
        { "map two pages ending in the last one",
          sys_map(HANDLE_ROOT_SPACE, img, USER_MAP_TOP - 4096, 2, PAGE_READ), IPC_EADDR },
        { "unmap unaligned", sys_unmap(HANDLE_ROOT_SPACE, 0x30000001, 1), IPC_EADDR },
        { "protect write-only", sys_protect(HANDLE_ROOT_SPACE, 0x30000000, 1, PAGE_WRITE),
          IPC_EINVAL },
        { "grant unknown rights", sys_handle_grant(HANDLE_ROOT_SPACE, HANDLE_ROOT_SPACE,
                                                   0x1000, 0, &none), IPC_EINVAL },
        { "kernel info 99", sys_light4(SYS_KERNEL_INFO, 99, 0, 0, 0).status, IPC_EINVAL },
        { "reply with nobody waiting", sys_reply(&m), IPC_ENOREPLY },
        { "start a running thread", sys_thread_start(HANDLE_ROOT_THREAD), IPC_ESTATE },
    };
    return VERDICT("syscall_bad_arguments", c);
}

int tests_errors(void)
{
    return bad_numbers() + bad_handles() + wrong_types() + missing_rights() + bad_pointers() +
           bad_arguments();
}
