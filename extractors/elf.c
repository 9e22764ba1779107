#include "extractors/elf.h"

#include <elf.h>
#include <magic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dynlib.h"

/* libmagic's entry points, loaded with the database on the first ELF file a
 * context describes (core/dynlib), not linked: only image scans use it. */
typedef struct elf__magic_api {
	void *dl; /* owned handle */
	__typeof__(magic_open) *open;
	__typeof__(magic_load) *load;
	__typeof__(magic_buffer) *buffer;
	__typeof__(magic_close) *close;
} elf__magic_api;

static const th_dynlib_sym elf__magic_syms[] = {
	TH_DYNLIB_SYM(elf__magic_api, open, "magic_open"),
	TH_DYNLIB_SYM(elf__magic_api, load, "magic_load"),
	TH_DYNLIB_SYM(elf__magic_api, buffer, "magic_buffer"),
	TH_DYNLIB_SYM(elf__magic_api, close, "magic_close"),
};

struct th_elf_ctx {
	elf__magic_api m;
	magic_t magic; /* NULL until first needed, or when libmagic or its database could not be loaded */
	bool tried;    /* loading the database costs tens of ms: only when an ELF file is seen */
};

int th_elf_ctx_new(th_elf_ctx **out, th_error *err)
{
	th_elf_ctx *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	*out = c;
	return 0;
}

void th_elf_ctx_free(th_elf_ctx *c)
{
	if (!c)
		return;
	if (c->magic)
		c->m.close(c->magic);
	th_dynlib_close(c->m.dl);
	free(c);
}

bool th_elf_interesting_name(const char *b)
{
	const char *so = strstr(b, ".so");

	if (!so || (so[3] != '\0' && so[3] != '.'))
		return false;
	return !strncmp(b, "lib", 3) || !strncmp(b, "ld-linux", 8) || !strncmp(b, "ld-musl-", 8);
}

typedef struct elfv {
	const unsigned char *d;
	size_t len;
	bool is64, le;
} elfv;

static uint64_t elf__u(const elfv *e, size_t off, int n)
{
	uint64_t v = 0;

	if (off > e->len || (size_t)n > e->len - off)
		return UINT64_MAX;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)e->d[off + (size_t)(e->le ? i : n - 1 - i)] << (8 * i);
	return v;
}

/* File offset of a virtual address, through the PT_LOAD segments. */
static uint64_t elf__vaddr(const elfv *e, uint64_t phoff, uint64_t phnum, uint64_t phent, uint64_t va)
{
	for (uint64_t i = 0; i < phnum; i++) {
		size_t p = (size_t)(phoff + i * phent);
		if (elf__u(e, p, 4) != PT_LOAD)
			continue;
		uint64_t off = e->is64 ? elf__u(e, p + 8, 8) : elf__u(e, p + 4, 4);
		uint64_t vaddr = e->is64 ? elf__u(e, p + 16, 8) : elf__u(e, p + 8, 4);
		uint64_t fsz = e->is64 ? elf__u(e, p + 32, 8) : elf__u(e, p + 16, 4);
		if (va >= vaddr && va - vaddr < fsz)
			return off + (va - vaddr);
	}
	return UINT64_MAX;
}

static const char *elf__str(const elfv *e, uint64_t strtab, uint64_t idx, size_t *n)
{
	if (strtab == UINT64_MAX || idx > e->len || strtab > e->len - idx)
		return NULL;
	const char *s = (const char *)e->d + strtab + idx;
	size_t max = e->len - (size_t)(strtab + idx);
	*n = strnlen(s, max);
	return *n < max ? s : NULL;
}

static const char *elf__machine(uint64_t m)
{
	switch (m) {
	case EM_X86_64: return "x86_64";
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	case EM_RISCV: return "riscv64";
	default: return "unknown";
	}
}

/* "GLIBC_2.36" > "GLIBC_2.4": compare the numbers. */
static bool elf__glibc_newer(const char *a, size_t al, const char *b)
{
	unsigned long amj = 0, amn = 0, bmj = 0, bmn = 0;
	char tmp[32];

	if (al >= sizeof(tmp))
		return false;
	memcpy(tmp, a, al);
	tmp[al] = '\0';
	if (sscanf(tmp, "GLIBC_%lu.%lu", &amj, &amn) < 1)
		return false;
	if (!*b)
		return true;
	sscanf(b, "GLIBC_%lu.%lu", &bmj, &bmn);
	return amj > bmj || (amj == bmj && amn > bmn);
}

int th_elf_note(th_elf_ctx *c, const void *data, size_t len, th_buf *out, th_error *err)
{
	elfv e = { data, len, false, true };
	uint64_t phoff, phnum, phent, dyn = UINT64_MAX, dynsz = 0, strtab_va = UINT64_MAX, soname = UINT64_MAX;
	uint64_t verdef_va = UINT64_MAX, verdefnum = 0;
	char glibc[32] = "";
	const char *desc = NULL;

	if (len < 64 || memcmp(data, ELFMAG, SELFMAG))
		return th_error_set(err, TH_ERR_INVALID, "not an ELF file");
	e.is64 = e.d[EI_CLASS] == ELFCLASS64;
	e.le = e.d[EI_DATA] != ELFDATA2MSB;
	uint64_t machine = elf__u(&e, 18, 2);
	phoff = e.is64 ? elf__u(&e, 32, 8) : elf__u(&e, 28, 4);
	phent = elf__u(&e, e.is64 ? 54 : 42, 2);
	phnum = elf__u(&e, e.is64 ? 56 : 44, 2);
	if (phoff == UINT64_MAX || phent < (e.is64 ? 56u : 32u) || phnum > 4096)
		return th_error_set(err, TH_ERR_INVALID, "bad ELF program headers");
	for (uint64_t i = 0; i < phnum; i++) {
		size_t p = (size_t)(phoff + i * phent);
		if (elf__u(&e, p, 4) == PT_DYNAMIC) {
			dyn = e.is64 ? elf__u(&e, p + 8, 8) : elf__u(&e, p + 4, 4);
			dynsz = e.is64 ? elf__u(&e, p + 32, 8) : elf__u(&e, p + 16, 4);
		}
	}
	size_t dent = e.is64 ? 16 : 8;
	for (uint64_t o = 0; dyn != UINT64_MAX && o + dent <= dynsz && o < (1u << 20); o += dent) {
		uint64_t tag = e.is64 ? elf__u(&e, (size_t)(dyn + o), 8) : elf__u(&e, (size_t)(dyn + o), 4);
		uint64_t val = e.is64 ? elf__u(&e, (size_t)(dyn + o + 8), 8) : elf__u(&e, (size_t)(dyn + o + 4), 4);
		if (tag == DT_NULL || tag == UINT64_MAX)
			break;
		if (tag == DT_SONAME)
			soname = val;
		else if (tag == DT_STRTAB)
			strtab_va = val;
		else if (tag == DT_VERDEF)
			verdef_va = val;
		else if (tag == DT_VERDEFNUM)
			verdefnum = val;
	}
	uint64_t strtab = strtab_va == UINT64_MAX ? UINT64_MAX : elf__vaddr(&e, phoff, phnum, phent, strtab_va);
	size_t sl = 0;
	const char *so = soname == UINT64_MAX ? NULL : elf__str(&e, strtab, soname, &sl);
	if (verdef_va != UINT64_MAX && strtab != UINT64_MAX) {
		uint64_t vd = elf__vaddr(&e, phoff, phnum, phent, verdef_va);
		for (uint64_t k = 0; vd != UINT64_MAX && k < verdefnum && k < 4096; k++) {
			uint64_t aux = elf__u(&e, (size_t)vd + 12, 4), next = elf__u(&e, (size_t)vd + 16, 4);
			uint64_t name = aux == UINT64_MAX ? UINT64_MAX : elf__u(&e, (size_t)(vd + aux), 4);
			size_t nl;
			const char *vn = name == UINT64_MAX ? NULL : elf__str(&e, strtab, name, &nl);
			if (vn && nl > 6 && !strncmp(vn, "GLIBC_", 6) && elf__glibc_newer(vn, nl, glibc)) {
				memcpy(glibc, vn, nl);
				glibc[nl] = '\0';
			}
			if (!next || next == UINT64_MAX)
				break;
			vd += next;
		}
	}
	if (c && !c->tried) {
		/* Descriptions are a nicety: without libmagic's database we go on. */
		c->tried = true;
		if (th_dynlib_open(&c->m.dl, &c->m, TH_SONAME_MAGIC, "libmagic", "to describe ELF files", elf__magic_syms,
				   sizeof(elf__magic_syms) / sizeof(elf__magic_syms[0]), NULL) == 0) {
			c->magic = c->m.open(MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR | MAGIC_ERROR);
			if (c->magic && c->m.load(c->magic, NULL)) {
				c->m.close(c->magic);
				c->magic = NULL;
			}
		}
	}
	if (c && c->magic)
		desc = c->m.buffer(c->magic, data, len < 65536 ? len : 65536);
	th_buf_clear(out);
	return th_buf_printf(out, err, "%.*s\n%s\n%d\n%s\n%.200s", so ? (int)sl : 0, so ? so : "",
			     elf__machine(machine), e.is64 ? 64 : 32, glibc, desc ? desc : "");
}

int th_elf_from_note(const char **soname, const char **machine, int *bits, const char **glibc_max,
		     const char **description, const char *note, size_t len, th_arena *a, th_error *err)
{
	const char *f[5] = { "", "", "", "", "" };
	size_t fl[5] = { 0 };
	size_t i = 0;

	for (int k = 0; k < 5 && i <= len; k++) {
		const char *nl = k < 4 ? memchr(note + i, '\n', len - i) : NULL;
		f[k] = note + i;
		fl[k] = nl ? (size_t)(nl - (note + i)) : len - i;
		i += fl[k] + 1;
		if (!nl)
			break;
	}
	const char **outs[5] = { soname, machine, NULL, glibc_max, description };
	for (int k = 0; k < 5; k++) {
		if (!outs[k])
			continue;
		*outs[k] = fl[k] ? th_arena_strndup(a, f[k], fl[k]) : (k == 1 ? "unknown" : NULL);
		if (fl[k] && !*outs[k])
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	*bits = fl[2] == 2 && !strncmp(f[2], "32", 2) ? 32 : 64;
	return 0;
}

void th_elf_classify(const char *b, const char *soname, const char **kind, const char **version, th_arena *a)
{
	static const struct { const char *prefix, *kind; } k[] = {
		{ "libcudart.so", "cuda-runtime" }, { "libcudnn.so", "cudnn" },   { "libnccl.so", "nccl" },
		{ "libopenblas", "openblas" },      { "libmkl_", "mkl" },         { "libc.so.", "libc" },
		{ "ld-musl-", "musl" },             { "libc.musl-", "musl" },     { "libpython", "python" },
		{ "libcublas.so", "cublas" },       { "libcuda.so", "cuda-driver" },
	};
	const char *so;

	*kind = "other";
	*version = NULL;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strncmp(b, k[i].prefix, strlen(k[i].prefix))) {
			*kind = k[i].kind;
			break;
		}
	(void)soname;
	/* "libcudart.so.12.2.140" -> "12.2.140"; "libopenblasp-r0.3.21.so" -> "0.3.21" */
	so = strstr(b, ".so.");
	if (so && strcmp(*kind, "libc") && strcmp(*kind, "musl"))
		*version = th_arena_strdup(a, so + 4);
	else if (!strncmp(b, "libopenblas", 11) && (so = strstr(b, "-r")))
		*version = th_arena_strndup(a, so + 2, strcspn(so + 2, "s") ? strcspn(so + 2, "s") - 1 : 0);
}
