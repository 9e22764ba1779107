/* Unit tests of the image fact extractors over bytes: os-release and its
 * fallbacks, dpkg status, apk, RPM headers, Python interpreter names and
 * version strings, distributions (metadata and directory-name fallback),
 * ELF notes and library classification, the outer tar index (ustar prefix,
 * GNU long names, pax, links, hostile headers), and OCI platform selection
 * through nested indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "extractors/apk.h"
#include "extractors/conda.h"
#include "extractors/dpkg.h"
#include "extractors/elf.h"
#include "extractors/oci.h"
#include "extractors/ociarchive.h"
#include "extractors/osrelease.h"
#include "extractors/python.h"
#include "extractors/rpm.h"

static th_limits lim;

static void osrelease_quoting_and_fallbacks(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_osrelease os;
	const char *t = "# c\nNAME='Alpine Linux'\nID=\"Alpine\"\nVERSION_ID=\"3.19\\\"x\"\nID_LIKE=\"\"\n";

	assert_int_equal(th_osrelease_parse(&os, t, strlen(t), &a, NULL), 0);
	assert_string_equal(os.id, "alpine");
	assert_string_equal(os.name, "Alpine Linux");
	assert_string_equal(os.version_id, "3.19\"x");
	assert_string_equal(os.family, "alpine");
	assert_int_equal(th_osrelease_parse(&os, "NAME=x\n", 7, &a, NULL), TH_ERR_INVALID);
	t = "ID=ubuntu\nVERSION_ID=22.04\nID_LIKE=debian\n";
	assert_int_equal(th_osrelease_parse(&os, t, strlen(t), &a, NULL), 0);
	assert_string_equal(os.family, "debian");
	assert_int_equal(th_osrelease_parse_fallback(&os, "/etc/debian_version", "12.5\n", 5, &a, NULL), 0);
	assert_string_equal(os.version_id, "12");
	assert_int_equal(th_osrelease_parse_fallback(&os, "/etc/redhat-release", "Rocky Linux release 9.3 (Blue Onyx)\n",
						     36, &a, NULL), 0);
	assert_string_equal(os.id, "rocky");
	assert_string_equal(os.version_id, "9.3");
	assert_string_equal(os.family, "rhel");
	t = "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\n";
	assert_int_equal(th_osrelease_parse_fallback(&os, "/etc/lsb-release", t, strlen(t), &a, NULL), 0);
	assert_string_equal(os.id, "ubuntu");
	assert_string_equal(os.version_id, "20.04");
	assert_int_equal(th_osrelease_parse_fallback(&os, "/etc/x", "1", 1, &a, NULL), TH_ERR_UNSUPPORTED);
	th_arena_release(&a);
}

typedef struct seen {
	char names[8][64];
	int n;
} seen;

static int dpkg_each(void *ud, const th_dpkg_pkg *p)
{
	seen *s = ud;
	snprintf(s->names[s->n++], 64, "%s=%s/%s:%s@%s", p->name, p->version, p->arch, p->source, p->source_version);
	return 0;
}

static void dpkg_status(void **state)
{
	th_arena a = TH_ARENA_INIT;
	seen s = { .n = 0 };
	const char *t = "Package: a\r\nStatus: install ok installed\nVersion: 1:2.0-1\nSource: b (3.0)\nArchitecture: amd64\n"
			"Description: x\n continued: not a field\n\n\n"
			"Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
			"Package: held\nStatus: hold ok installed\nVersion: 1\n\n"
			"Package: nostatus\nversion: 5\n";

	assert_int_equal(th_dpkg_parse(t, strlen(t), &a, dpkg_each, &s, NULL), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "a=1:2.0-1/amd64:b@3.0");
	assert_string_equal(s.names[1], "nostatus=5/:nostatus@5");
	th_arena_release(&a);
}

static int apk_each(void *ud, const th_apk_pkg *p)
{
	seen *s = ud;
	snprintf(s->names[s->n++], 64, "%s=%s %zu %s", p->name, p->version, p->nfiles, p->nfiles ? p->files[0] : "-");
	return 0;
}

static void apk_db(void **state)
{
	th_arena a = TH_ARENA_INIT;
	seen s = { .n = 0 };
	const char *t = "P:musl\nV:1.2\nF:lib\nR:ld.so\nR:libc.so\n\nV:noname\n\nP:z\nV:1\nR:top\n";

	assert_int_equal(th_apk_parse(t, strlen(t), 10, &a, apk_each, &s, NULL), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "musl=1.2 2 /lib/ld.so");
	assert_string_equal(s.names[1], "z=1 1 /top");
	th_arena_release(&a);
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static void rpm_header(void **state)
{
	unsigned char b[512];
	const char data[] = "bash\0" "5.1\0" "6.el9\0" "x86_64\0"; /* 0 5 9 15; 22 bytes */
	th_arena a = TH_ARENA_INIT;
	th_rpm_pkg p;
	uint32_t idx[][4] = { { 1000, 6, 0, 1 }, { 1001, 6, 5, 1 }, { 1002, 6, 9, 1 }, { 1022, 6, 15, 1 }, { 1003, 4, 24, 1 } };

	memset(b, 0, sizeof(b));
	be32(b, 5);
	be32(b + 4, 28);
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 4; k++)
			be32(b + 8 + 16 * i + 4 * k, idx[i][k]);
	memcpy(b + 8 + 80, data, 22);
	be32(b + 8 + 80 + 24, 2);
	assert_int_equal(th_rpm_header_parse(&p, b, 8 + 80 + 28, 10, &a, NULL), 0);
	assert_string_equal(p.name, "bash");
	assert_string_equal(th_rpm_evr(&p, &a), "2:5.1-6.el9");
	/* offsets past the data store, counts past the blob, truncation */
	assert_int_equal(th_rpm_header_parse(&p, b, 8 + 80 + 10, 10, &a, NULL), TH_ERR_INVALID);
	be32(b, 0x7fffffff);
	assert_int_equal(th_rpm_header_parse(&p, b, 8 + 80 + 28, 10, &a, NULL), TH_ERR_INVALID);
	be32(b, 5);
	be32(b + 8 + 8, 9999); /* NAME offset out of range */
	assert_int_equal(th_rpm_header_parse(&p, b, 8 + 80 + 28, 10, &a, NULL), TH_ERR_INVALID);
	th_arena_release(&a);
}

static void python_names_and_versions(void **state)
{
	th_arena a = TH_ARENA_INIT;
	int mj, mn;
	const char bin[] = "junk\0" "3.11.\0" "x3.11.9\0" "3.11.2\0" "3.11.3";
	th_pydist d;
	const char *md = "Metadata-Version: 2.1\nName: Foo.Bar_baz\nVersion: 1.0\nRequires-Dist: x>1\n";

	assert_true(th_python_interp_name("python3.11", &mj, &mn) && mj == 3 && mn == 11);
	assert_true(th_python_interp_name("libpython3.9m.so.1.0", &mj, &mn) && mn == 9);
	assert_false(th_python_interp_name("python3.11-config", &mj, &mn));
	assert_false(th_python_interp_name("python3", &mj, &mn));
	assert_false(th_python_interp_name("libpython3.11.a", &mj, &mn));
	assert_string_equal(th_python_binary_version(bin, sizeof(bin) - 1, 3, 11, &a), "3.11.2");
	assert_null(th_python_binary_version(bin, sizeof(bin) - 1, 3, 12, &a));
	assert_int_equal(th_pydist_parse(&d, "Foo.Bar_baz-1.0.dist-info", md, strlen(md), &lim, &a, NULL), 0);
	assert_string_equal(d.normalized, "foo-bar-baz");
	assert_int_equal(d.nrequires_dist, 1);
	assert_false(d.from_dirname);
	assert_int_equal(th_pydist_parse(&d, "zope.interface-5.4.0-py3.11.egg-info", NULL, 0, &lim, &a, NULL), 0);
	assert_string_equal(d.normalized, "zope-interface");
	assert_string_equal(d.version, "5.4.0");
	assert_true(d.from_dirname);
	assert_true(th_pydist_dirname("a-1.dist-info") && th_pydist_dirname("a.egg-info") && !th_pydist_dirname("a.py"));
	th_arena_release(&a);
}

static void entry_points_and_records(void **state)
{
	th_arena a = TH_ARENA_INIT;
	const char **v;
	size_t n;
	const char ep[] = "[console_scripts]\r\n  a = m:f\r\nb=m:g [x]\nnoequals\n= m:h\n[gui_scripts]\nc = m:i\n"
			  "[console_scripts]\nd =";
	(void)state;
	assert_int_equal(th_pydist_console_scripts(&v, &n, ep, strlen(ep), &a), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_string_equal(v[2], "d");
	assert_int_equal(th_pydist_console_scripts(&v, &n, "[gui_scripts]\nx = y", 19, &a), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(th_pydist_console_scripts(&v, &n, "", 0, &a), 0);
	assert_int_equal(n, 0);
	assert_int_equal(th_pydist_count_lines("a,,\n\n  \nb,,", 11), 2);
	assert_int_equal(th_pydist_count_lines("", 0), 0);
	th_arena_release(&a);
}

/* Import names from RECORD and installed-files.txt: packages and modules,
 * never scripts, metadata dirs, .data, .pth or __pycache__. */
static void record_names(void **state)
{
	th_arena a = TH_ARENA_INIT;
	const char **v;
	size_t n;
	const char rec[] = "yaml/__init__.py,sha256=x,1\n_yaml/__init__.py,,\n"
			   "PyYAML-6.0.dist-info/METADATA,,\n../../../bin/tool,,\n"
			   "six.py,,\n_cffi_backend.cpython-311-x86_64-linux-gnu.so,,\n"
			   "distutils-precedence.pth,,\n__pycache__/six.cpython-311.pyc,,\n"
			   "\"odd,name/__init__.py\",,\nfoo-1.0.data/scripts/x,,\nyaml/x.py,,\n"
			   "1bad/x.py,,\nREADME,,\nnspkg/sub/mod.py,,";
	const char egg[] = "../zope/__init__.py\n../zope/interface/x.py\nPKG-INFO\n../../../../bin/z\n./\n";
	(void)state;
	assert_int_equal(th_pydist_record_names(&v, &n, rec, strlen(rec), false, &a), 0);
	assert_int_equal(n, 5);
	assert_string_equal(v[0], "_cffi_backend");
	assert_string_equal(v[1], "_yaml");
	assert_string_equal(v[2], "nspkg");
	assert_string_equal(v[3], "six");
	assert_string_equal(v[4], "yaml");
	assert_int_equal(th_pydist_record_names(&v, &n, egg, strlen(egg), true, &a), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "zope");
	assert_int_equal(th_pydist_record_names(&v, &n, "", 0, false, &a), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	th_arena_release(&a);
}

static void conda_records(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_buf note = TH_BUF_INIT;
	th_error err = TH_ERROR_INIT;
	th_conda_pkg p;
	const char rec[] = "{\"name\": \"numpy\", \"version\": \"1.26.4\", \"build\": \"py311_0\", \"channel\": 7,"
			   " \"files\": [\"a\"]}";
	(void)state;
	assert_int_equal(th_conda_parse(&p, rec, strlen(rec), "r.json", &lim, &a, &err), 0);
	assert_string_equal(p.name, "numpy");
	assert_string_equal(p.build, "py311_0");
	assert_string_equal(p.channel, ""); /* not a string */
	assert_int_equal(th_conda_note(&note, rec, strlen(rec), "r.json", &lim, &err), 0);
	assert_int_equal(th_conda_from_note(&p, note.ptr, note.len, &a, &err), 0);
	assert_string_equal(p.version, "1.26.4");
	assert_string_equal(p.channel, "");
	assert_int_equal(th_conda_parse(&p, "[1]", 3, "r.json", &lim, &a, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "r.json"));
	th_error_clear(&err);
	assert_int_equal(th_conda_parse(&p, "{\"name\": \"a\\nb\", \"version\": \"1\"}", 32, "r.json", &lim, &a, &err),
			 TH_ERR_INVALID);
	th_error_clear(&err);
	assert_int_equal(th_conda_parse(&p, "{\"version\": \"1\"}", 16, "r.json", &lim, &a, &err), TH_ERR_INVALID);
	th_error_clear(&err);
	assert_int_not_equal(th_conda_parse(&p, "{\"name\":", 8, "r.json", &lim, &a, &err), 0);
	th_error_clear(&err);
	assert_int_equal(th_conda_from_note(&p, "a\nb\nc", 5, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_conda_from_note(&p, "a\nb\nc\nd\ne", 9, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_conda_from_note(&p, "\nb\nc\nd", 7, &a, NULL), TH_ERR_INVALID);
	th_buf_release(&note);
	th_arena_release(&a);
}

static void elf_notes(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_buf note = TH_BUF_INIT;
	const char *so, *mach, *glibc, *desc, *kind, *ver;
	int bits;
	unsigned char junk[64] = "\177ELF";

	assert_int_equal(th_elf_note(NULL, "not elf", 7, &note, NULL), TH_ERR_INVALID);
	/* a header whose program headers point far away: an error, not a read past the end */
	junk[4] = 2;
	junk[5] = 1;
	junk[32] = 0xff;
	junk[54] = 56;
	junk[56] = 3;
	th_elf_note(NULL, junk, sizeof(junk), &note, NULL);
	assert_int_equal(th_elf_from_note(&so, &mach, &bits, &glibc, &desc, "libz.so.1\nx86_64\n64\n\nELF", 25, &a, NULL), 0);
	assert_string_equal(so, "libz.so.1");
	assert_null(glibc);
	assert_int_equal(bits, 64);
	th_elf_classify("libcudart.so.12.2.140", NULL, &kind, &ver, &a);
	assert_string_equal(kind, "cuda-runtime");
	assert_string_equal(ver, "12.2.140");
	th_elf_classify("libcudnn.so.8", NULL, &kind, &ver, &a);
	assert_string_equal(kind, "cudnn");
	th_elf_classify("libc.so.6", NULL, &kind, &ver, &a);
	assert_string_equal(kind, "libc");
	assert_null(ver);
	assert_true(th_elf_interesting_name("libfoo.so") && th_elf_interesting_name("ld-linux-x86-64.so.2"));
	assert_false(th_elf_interesting_name("libfoo.sox") || th_elf_interesting_name("foo.so"));
	th_buf_release(&note);
	th_arena_release(&a);
}

/* ---- tar writing for the archive tests ---- */
static size_t tar_hdr(unsigned char *h, const char *name, char type, size_t size, const char *link)
{
	unsigned sum = 0;
	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)size);
	memcpy(h + 136, "00000000000", 12);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	return 512;
}

static size_t tar_file(unsigned char *o, const char *name, const char *data)
{
	size_t n = strlen(data), p = tar_hdr(o, name, '0', n, NULL);
	memcpy(o + p, data, n);
	return p + (n + 511) / 512 * 512;
}

static size_t tar_pax_file(unsigned char *o, const char *longname, const char *data)
{
	char rec[600];
	int n = snprintf(rec, sizeof(rec), "xxx path=%s\n", longname);
	int len = n; /* the record's length includes its own digits */
	char full[640];
	for (int i = 0; i < 3; i++) {
		int m = snprintf(full, sizeof(full), "%d path=%s\n", len, longname);
		len = m;
	}
	size_t p = tar_hdr(o, "PaxHeader", 'x', (size_t)len, NULL);
	memcpy(o + p, full, (size_t)len);
	p += ((size_t)len + 511) / 512 * 512;
	return p + tar_file(o + p, "short-name", data);
}

static void outer_tar_index(void **state)
{
	static unsigned char t[16384];
	char longname[200];
	size_t n = 0;
	th_ociarchive *ar;
	th_buf b = TH_BUF_INIT;
	th_error err = TH_ERROR_INIT;

	memset(longname, 'a', 150);
	strcpy(longname + 150, "/file");
	n += tar_file(t + n, "./dir/x.json", "{\"a\":1}");
	n += tar_pax_file(t + n, longname, "pax");
	n += tar_hdr(t + n, "link", '2', 0, "dir/x.json");
	n += tar_hdr(t + n, "dir/up", '2', 0, "../../../dir/x.json");
	n += tar_hdr(t + n, "loop", '2', 0, "loop");
	n += tar_file(t + n, "../escape", "no");
	n += 1024;
	assert_int_equal(th_ociarchive_open_mem(&ar, t, n, "t.tar", &lim, &err), 0);
	assert_int_equal(th_ociarchive_read(ar, "dir/x.json", 100, &b, &err), 0);
	assert_string_equal(b.ptr, "{\"a\":1}");
	assert_int_equal(th_ociarchive_read(ar, longname, 100, &b, &err), 0);
	assert_string_equal(b.ptr, "pax");
	assert_int_equal(th_ociarchive_read(ar, "link", 100, &b, &err), 0);
	assert_int_equal(th_ociarchive_read(ar, "dir/up", 100, &b, &err), 0); /* ".." clamped at the root */
	assert_int_equal(th_ociarchive_read(ar, "loop", 100, &b, &err), TH_ERR_LIMIT);
	assert_int_equal(th_ociarchive_read(ar, "escape", 100, &b, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_ociarchive_read(ar, "dir/x.json", 3, &b, &err), TH_ERR_LIMIT);
	th_ociarchive_free(ar);
	/* a bad checksum, a size past the end */
	t[0] ^= 1;
	assert_int_equal(th_ociarchive_open_mem(&ar, t, n, "t.tar", &lim, &err), TH_ERR_INVALID);
	t[0] ^= 1;
	assert_int_equal(th_ociarchive_open_mem(&ar, t, 600, "t.tar", &lim, &err), TH_ERR_INVALID);
	assert_int_equal(th_ociarchive_open_mem(&ar, t, 0, "t.tar", &lim, &err), TH_ERR_INVALID);
	th_buf_release(&b);
}

/* An OCI archive with a nested index: amd64 and arm64/v8 images plus an
 * attestation manifest. */
static size_t add_blob(unsigned char *t, size_t n, const char *json, char digest[80])
{
	char hex[TH_SHA256_HEX], name[100];
	th_sha256_hex(hex, json, strlen(json), NULL);
	snprintf(digest, 80, "sha256:%s", hex);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	return n + tar_file(t + n, name, json);
}

static void oci_platforms(void **state)
{
	static unsigned char t[65536];
	char cfg_amd[80], cfg_arm[80], m_amd[80], m_arm[80], m_att[80], inner[80], json[2048];
	size_t n = 0;
	th_ociarchive *ar;
	th_oci_image img;
	th_error err = TH_ERROR_INIT;
#define CFG "{\"os\":\"linux\",\"architecture\":\"%s\",%s\"config\":{\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"diff_ids\":[]}}"
	char c1[512], c2[512];

	snprintf(c1, sizeof(c1), CFG, "amd64", "");
	snprintf(c2, sizeof(c2), CFG, "arm64",
		 "\"variant\":\"v8\",\"history\":[{\"created_by\":\"RUN x\"},"
		 "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"ENV A=1\",\"empty_layer\":true},"
		 "{\"empty_layer\":\"yes\"},7],");
	n = add_blob(t, n, c1, cfg_amd);
	n = add_blob(t, n, c2, cfg_arm);
	snprintf(json, sizeof(json), "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}", cfg_amd, strlen(c1));
	n = add_blob(t, n, json, m_amd);
	size_t l_amd = strlen(json);
	snprintf(json, sizeof(json), "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}", cfg_arm, strlen(c2));
	n = add_blob(t, n, json, m_arm);
	size_t l_arm = strlen(json);
	n = add_blob(t, n, "{\"schemaVersion\":2,\"layers\":[]}", m_att);
	snprintf(json, sizeof(json),
		 "{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":31,"
		 "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
		 m_att, m_arm, l_arm, m_amd, l_amd);
	size_t l_inner = strlen(json);
	n = add_blob(t, n, json, inner);
	snprintf(json, sizeof(json),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"%s\",\"size\":%zu}]}",
		 inner, l_inner);
	n += tar_file(t + n, "index.json", json);
	n += 1024;
	assert_int_equal(th_ociarchive_open_mem(&ar, t, n, "idx.tar", &lim, &err), 0);
	th_oci_src src = { -1, -1, ar, "idx.tar" };
	assert_int_equal(th_oci_load(&img, &src, NULL, &lim, &err), 0);
	assert_string_equal(img.arch, "amd64");
	assert_string_equal(img.manifest_digest, m_amd);
	th_oci_release(&img);
	assert_int_equal(th_oci_load(&img, &src, "linux/arm64/v8", &lim, &err), 0);
	assert_string_equal(img.arch, "arm64");
	assert_string_equal(img.variant, "v8");
	assert_int_equal(img.nhistory, 4);
	assert_string_equal(img.history[0].created_by, "RUN x");
	assert_null(img.history[0].created);
	assert_false(img.history[0].empty_layer);
	assert_string_equal(img.history[1].created, "2024-01-01T00:00:00Z");
	assert_string_equal(img.history[1].created_by, "ENV A=1");
	assert_true(img.history[1].empty_layer);
	assert_false(img.history[2].empty_layer); /* not a boolean */
	assert_null(img.history[3].created_by);   /* not an object */
	th_oci_release(&img);
	assert_int_equal(th_oci_load(&img, &src, "linux/s390x", &lim, &err), TH_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "linux/s390x"));
	assert_int_equal(th_oci_load(&img, &src, "linux", &lim, &err), TH_ERR_USAGE);
	th_ociarchive_free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(osrelease_quoting_and_fallbacks),
		cmocka_unit_test(dpkg_status),
		cmocka_unit_test(apk_db),
		cmocka_unit_test(rpm_header),
		cmocka_unit_test(python_names_and_versions),
		cmocka_unit_test(entry_points_and_records),
		cmocka_unit_test(record_names),
		cmocka_unit_test(conda_records),
		cmocka_unit_test(elf_notes),
		cmocka_unit_test(outer_tar_index),
		cmocka_unit_test(oci_platforms),
	};
	th_limits_init(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
