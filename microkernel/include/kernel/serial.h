/* COM1 16550 UART: the kernel's console and the tests' only channel. */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

void serial_init(void);
void serial_putc(char c);          /* '\n' goes out as "\r\n" */
void serial_write(const char *s, int n);

#endif
