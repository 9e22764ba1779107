/* Fuzz target: ELF facts (program headers, dynamic section, version
 * definitions) and the note they travel in; plus the interpreter version
 * scan over binary bytes. */
#include <stdint.h>
#include <stddef.h>

#include "extractors/elf.h"
#include "extractors/python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_buf note = TH_BUF_INIT;
	th_arena a = TH_ARENA_INIT;
	const char *so, *mach, *glibc, *desc, *kind, *ver;
	int bits;

	if (th_elf_note(NULL, data, size, &note, NULL) == 0)
		th_elf_from_note(&so, &mach, &bits, &glibc, &desc, note.ptr, note.len, &a, NULL);
	th_elf_from_note(&so, &mach, &bits, &glibc, &desc, (const char *)data, size, &a, NULL);
	th_python_binary_version(data, size, 3, 11, &a);
	th_elf_classify("libcudart.so.12.2.140", NULL, &kind, &ver, &a);
	th_buf_release(&note);
	th_arena_release(&a);
	return 0;
}
