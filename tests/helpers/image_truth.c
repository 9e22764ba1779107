/*
 * image_truth TRUTH.json SCAN.json — compares `thoth scan image --format json`
 * with the truth.json written by ../shared/tools/build-debian-image.sh:
 * os ID/VERSION_ID; every dpkg package with its exact version and arch, and
 * nothing extra; every Python distribution (PEP 503 names) with its version
 * and location, and nothing extra; an interpreter of each truth X.Y.
 * Prints each difference; exit 0 when none, 1 otherwise, 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/name.h"

static th_json *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	th_buf b = TH_BUF_INIT;
	char chunk[65536];
	size_t n;
	th_json *j = NULL;
	th_error err = TH_ERROR_INIT;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		th_buf_put(&b, chunk, n, NULL);
	fclose(f);
	if (th_json_parse(&j, b.ptr, b.len, 64, path, &err))
		fprintf(stderr, "%s\n", err.msg);
	th_buf_release(&b);
	return j;
}

static const char *str(const th_json *o, const char *k)
{
	const char *s = th_json_str(th_json_get(o, k), NULL);
	return s ? s : "";
}

static int norm_eq(const char *a, const char *b)
{
	return th_name_eq(a, strlen(a), b, strlen(b));
}

int main(int argc, char **argv)
{
	th_json *t, *s;
	int bad = 0;

	if (argc != 3 || !(t = load(argv[1])) || !(s = load(argv[2]))) {
		fprintf(stderr, "usage: image_truth TRUTH.json SCAN.json\n");
		return 2;
	}
	const th_json *tos = th_json_get(t, "os"), *sos = th_json_get(s, "os");
	if (strcmp(str(tos, "ID"), str(sos, "id")) || strcmp(str(tos, "VERSION_ID"), str(sos, "version_id"))) {
		printf("os: truth %s %s, scan %s %s\n", str(tos, "ID"), str(tos, "VERSION_ID"), str(sos, "id"),
		       str(sos, "version_id"));
		bad++;
	}
	const th_json *tp = th_json_get(t, "dpkg"), *sp = th_json_get(s, "os_packages");
	for (size_t i = 0; i < th_json_len(tp); i++) {
		const th_json *p = th_json_at(tp, i);
		int found = 0;
		for (size_t k = 0; k < th_json_len(sp) && !found; k++) {
			const th_json *q = th_json_at(sp, k);
			found = !strcmp(str(p, "name"), str(q, "name")) && !strcmp(str(p, "version"), str(q, "version")) &&
				!strcmp(str(p, "arch"), str(q, "arch")) && !strcmp(str(q, "type"), "deb");
		}
		if (!found) {
			printf("dpkg: missing %s %s %s\n", str(p, "name"), str(p, "version"), str(p, "arch"));
			bad++;
		}
	}
	if (th_json_len(sp) != th_json_len(tp)) {
		printf("dpkg: truth has %zu packages, scan %zu\n", th_json_len(tp), th_json_len(sp));
		bad++;
	}
	const th_json *td = th_json_get(t, "python_dists");
	const th_json *sd = th_json_get(th_json_get(s, "python"), "distributions");
	for (size_t i = 0; i < th_json_len(td); i++) {
		const th_json *d = th_json_at(td, i);
		int found = 0;
		for (size_t k = 0; k < th_json_len(sd) && !found; k++) {
			const th_json *q = th_json_at(sd, k);
			found = norm_eq(str(d, "name"), str(q, "name")) && !strcmp(str(d, "version"), str(q, "version")) &&
				!strcmp(str(d, "location"), str(q, "location"));
		}
		if (!found) {
			printf("python: missing %s %s in %s\n", str(d, "name"), str(d, "version"), str(d, "location"));
			bad++;
		}
	}
	if (th_json_len(sd) != th_json_len(td)) {
		printf("python: truth has %zu distributions, scan %zu\n", th_json_len(td), th_json_len(sd));
		bad++;
	}
	const th_json *ti = th_json_get(t, "interpreters");
	const th_json *si = th_json_get(th_json_get(s, "python"), "interpreters");
	for (size_t i = 0; i < th_json_len(ti); i++) {
		const char *name = th_json_str(th_json_at(ti, i), NULL); /* "python3.11" */
		const char *xy = name && !strncmp(name, "python", 6) ? name + 6 : "";
		size_t xl = strlen(xy);
		int found = 0;
		for (size_t k = 0; k < th_json_len(si) && !found; k++) {
			const char *v = str(th_json_at(si, k), "version");
			found = !strncmp(v, xy, xl) && v[xl] == '.' && v[xl + 1] >= '0' && v[xl + 1] <= '9';
		}
		if (!found) {
			printf("python: no interpreter %s with a full X.Y.Z version\n", xy);
			bad++;
		}
	}
	th_json_free(t);
	th_json_free(s);
	return bad ? 1 : 0;
}
