/* Client side of the pager protocol; see ipc/pager.h. */
#include <ipc/cmdline.h>
#include <ipc/process.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

static int64_t request(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                       struct ipc_msg *out)
{
    struct ipc_msg m = { .tag = label, .w = { w0, w1, w2, w3 } };
    struct ipc_status st = sys_call(PAGER_HANDLE, &m);
    if (st.status)
        return -(int64_t)PG_ENOSYS;        /* no pager to ask */
    if (out)
        *out = m;
    return -(int64_t)m.w[0];
}

void exit(int status)
{
    request(PG_EXIT, (uint64_t)status, 0, 0, 0, 0);
    sys_exit((uint64_t)status);            /* no pager: end the thread anyway */
}

int64_t wait_pid(int64_t pid, int *status)
{
    struct ipc_msg m;
    int64_t r = request(PG_WAIT, (uint64_t)pid, 0, 0, 0, &m);
    if (r)
        return r;
    if (status)
        *status = (int)m.w[2];
    return (int64_t)m.w[1];
}

int64_t getpid(void)
{
    struct ipc_msg m;
    int64_t r = request(PG_GETPID, 0, 0, 0, 0, &m);
    return r ? r : (int64_t)m.w[1];
}

/* Up to 23 characters of s, NUL-padded, in three words. */
static void pack(const char *s, uint64_t w[3])
{
    char *dst = (char *)w;
    w[0] = w[1] = w[2] = 0;
    for (unsigned i = 0; i < 3 * sizeof(uint64_t) - 1 && s[i]; i++)
        dst[i] = s[i];
}

int64_t spawn_with(const char *name, handle_t gift)
{
    uint64_t w[3];
    pack(name, w);
    struct ipc_msg m;
    int64_t r = request(PG_SPAWN | (gift ? TAG_GRANT : 0), w[0], w[1], w[2], gift, &m);
    return r ? r : (int64_t)m.w[1];
}

int64_t spawn(const char *name) { return spawn_with(name, 0); }

int getenv_cmdline(const char *key, char *buf, unsigned size)
{
    uint64_t w[3];
    pack(key, w);
    struct ipc_msg m;
    int64_t r = request(PG_GETENV, w[0], w[1], w[2], 0, &m);
    if (r)
        return (int)r;
    const char *v = (const char *)&m.w[1];
    unsigned i = 0;
    for (; i + 1 < size && i < 3 * sizeof(uint64_t) && v[i]; i++)
        buf[i] = v[i];
    if (size)
        buf[i] = 0;
    return 0;
}

uint64_t getenv_number(const char *key, uint64_t dflt)
{
    char v[24];
    uint64_t n;
    return !getenv_cmdline(key, v, sizeof(v)) && cmdline_number(v, UINT64_MAX, &n) ? n : dflt;
}

int64_t pager_info(char *name)
{
    struct ipc_msg m;
    int64_t r = request(PG_INFO, 0, 0, 0, 0, &m);
    if (r)
        return r;
    if (name) {
        memcpy(name, &m.w[2], 16);
        name[15] = 0;
    }
    return (int64_t)(uint32_t)m.w[1];
}

int64_t map_module(const char *name, uint64_t *size)
{
    uint64_t w[3];
    pack(name, w);
    struct ipc_msg m;
    int64_t r = request(PG_MODULE, w[0], w[1], w[2], 0, &m);
    if (r)
        return r;
    *size = m.w[2];
    return (int64_t)m.w[1];
}

int64_t kill_child(int64_t pid) { return request(PG_KILL, (uint64_t)pid, 0, 0, 0, 0); }

int64_t mmap(uint64_t addr, uint64_t length, int prot, int flags)
{
    struct ipc_msg m;
    int64_t r = request(PG_MMAP, addr, length, (uint64_t)prot, (uint64_t)flags, &m);
    return r ? r : (int64_t)m.w[1];
}

int64_t mprotect(uint64_t addr, uint64_t length, int prot)
{
    return request(PG_MPROTECT, addr, length, (uint64_t)prot, 0, 0);
}

int64_t munmap(uint64_t addr, uint64_t length)
{
    return request(PG_MUNMAP, addr, length, 0, 0, 0);
}

int pager_stats(struct pager_stats *out)
{
    struct ipc_msg m;
    uint64_t *dst = &out->page_faults;
    for (uint64_t group = 0; group < 3; group++) {
        int64_t r = request(PG_STATS, group, 0, 0, 0, &m);
        if (r)
            return (int)r;
        for (int i = 0; i < 3; i++)
            dst[group * 3 + i] = m.w[1 + i];
    }
    return 0;
}

void pager_print_stats(void) { request(PG_STATS, PG_STATS_PRINT, 0, 0, 0, 0); }
