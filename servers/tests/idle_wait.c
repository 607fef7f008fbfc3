/* A program whose child blocks forever while it waits for that child: the
 * system is then idle, not broken (test/qemu/cases/idle_wait.sh). */
#include "../utest/utest.h"

int main(void)
{
    int64_t pid = fork();
    if (pid == 0) {
        handle_t ep;
        struct ipc_msg m;
        sys_endpoint_create(&ep);
        printf("idle_wait: child %ld waits on an endpoint nobody else holds\n", getpid());
        sys_recv(ep, &m);                   /* forever */
        return 1;
    }
    printf("idle_wait: parent waits for child %ld\n", pid);
    int status;
    wait_pid(pid, &status);
    printf("idle_wait: FAIL the wait returned\n");
    return 1;
}
