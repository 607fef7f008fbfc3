/* Item stocks; see stock.h. */
#include <kernel/stock.h>

bool stock_reserve(struct stock *st, uint64_t n)
{
    while (st->free_count < n) {
        struct stock_page *page = stock_frame_get(st);
        if (!page)
            return false;
        page->stock = st;
        page->next = st->pages;
        st->pages = page;
        st->frames++;
        uint8_t *item = (uint8_t *)(page + 1);
        for (uint32_t i = 0; i < STOCK_PER_FRAME(st->size); i++, item += st->size) {
            *(void **)item = st->free;
            st->free = item;
        }
        st->free_count += STOCK_PER_FRAME(st->size);
    }
    return true;
}

void stock_drain(struct stock *st)
{
    while (st->pages) {
        struct stock_page *page = st->pages;
        st->pages = page->next;
        stock_frame_put(st, page);
    }
    st->free = 0;
    st->free_count = 0;
    st->frames = 0;
}
