/* a_alias: attack program (being written). */
int main(void) { return 1; }
