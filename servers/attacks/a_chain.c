/* a_chain: attack program (being written). */
int main(void) { return 1; }
