DESCRIPTION="a module that is not an ELF executable (a text file) is refused, naming the file"
prepare() {
  echo "this is not a program" > "$WORK/notes.txt"
  MODULES+=("$WORK/notes.txt")
}
EXPECT_STATUS=3
EXPECT=('^loader: error: /boot/notes.txt: file too small for an ELF header$')
REJECT=('^BOOT ')
