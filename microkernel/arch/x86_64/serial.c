/* COM1 16550 UART driver, polled: output only, no interrupts. */
#include <kernel/serial.h>
#include <arch/io.h>

#define COM1        0x3f8
#define REG_DATA    0
#define REG_IER     1
#define REG_FCR     2
#define REG_LCR     3
#define REG_MCR     4
#define REG_LSR     5
#define LSR_THRE    0x20       /* transmit holding register empty */
#define LCR_DLAB    0x80

static int present;

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, LCR_DLAB);
    outb(COM1 + REG_DATA, 1);         /* divisor 1: 115200 baud */
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, 0x03);       /* 8N1 */
    outb(COM1 + REG_FCR, 0xc7);       /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + REG_MCR, 0x03);       /* DTR, RTS */
    /* A missing UART reads back 0xff: then drop output instead of spinning. */
    present = inb(COM1 + REG_LSR) != 0xff;
}

void serial_putc(char c)
{
    if (!present)
        return;
    if (c == '\n')
        serial_putc('\r');
    for (int spins = 0; !(inb(COM1 + REG_LSR) & LSR_THRE) && spins < 100000; spins++)
        __asm__ volatile("pause");
    outb(COM1 + REG_DATA, (unsigned char)c);
}

void serial_write(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        serial_putc(s[i]);
}
