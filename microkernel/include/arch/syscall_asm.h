/* ABI numbers that syscall.S needs, as plain #defines (ipc/abi.h uses
 * enums, which the assembler cannot read). kernel/syscall.c checks that
 * they agree with ipc/abi.h. */
#ifndef ARCH_SYSCALL_ASM_H
#define ARCH_SYSCALL_ASM_H

#define ASM_SYS_FIRST_SWITCHING 16
#define ASM_SYS_LIGHT_COUNT     16
#define ASM_IPC_ENOSYS          1
#define ASM_SYS_CALL            17
#define ASM_SYS_REPLY_RECV      18

#endif
