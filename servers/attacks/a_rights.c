/* a_rights: attack program (being written). */
int main(void) { return 1; }
