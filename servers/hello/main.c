/*
 * hello: the first user program, loaded from the ESP as a boot module.
 * Today it proves that the loader carries modules through to the kernel,
 * which validates it as an ELF and reports it; once threads exist (issue 4)
 * the kernel starts it and it prints through the debug console.
 */
const char greeting[] = "hello from user space";   /* .rodata */
volatile int counter;                               /* .bss */
int initialised = 1;                                /* .data */

int main(void)
{
    counter = (int)sizeof(greeting) + initialised;
    return 0;
}
