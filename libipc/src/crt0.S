/* User program entry: the kernel starts a thread at _start with a stack
 * already set up; main's return value will become the exit status once the
 * exit call exists (issue 4). Until then a returning program spins. */
    .text
    .globl _start
_start:
    xor %ebp, %ebp          /* end of the frame-pointer chain for debuggers */
    call main
1:  pause
    jmp 1b
