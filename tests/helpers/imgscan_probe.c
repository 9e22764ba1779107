/*
 * imgscan_probe — drives analyzer/imgscan as another command would, for
 * tests/sh/image_fixtures.sh:
 *   imgscan_probe DB REF [--reuse] [--verify] [--platform P]
 * scans REF (or reuses a scan) and prints what a target is built from, one
 * fact per line: "scan ID reused 0|1", "python PATH VERSION IMPL",
 * "libc FAMILY VERSION", "cuda V", "cudnn V", "os ID VERSION_ID",
 * "history N", then "dist NAME VERSION import=NAMES" per distribution
 * (top_level.txt, else the names RECORD gives, comma-separated).
 */
#include <stdio.h>
#include <string.h>

#include "analyzer/imgscan.h"

static const char *nz(const char *s)
{
	return s ? s : "-";
}

int main(int argc, char **argv)
{
	th_error err = TH_ERROR_INIT;
	th_store *s = NULL;
	th_limits lim;
	th_imgscan_opts o = TH_IMGSCAN_OPTS_INIT;
	th_arena a;
	th_imgfacts f;
	int64_t scan, before = 0, after = 0;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: imgscan_probe DB REF [--reuse] [--verify] [--platform P]\n");
		return 2;
	}
	th_limits_init(&lim);
	o.lim = &lim;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--reuse"))
			o.reuse = true;
		else if (!strcmp(argv[i], "--verify"))
			o.verify = true;
		else if (!strcmp(argv[i], "--platform") && i + 1 < argc)
			o.platform = argv[++i];
	}
	th_arena_init(&a, 4096);
	if (th_store_open(&s, argv[1], &err) || th_store_img_count(s, "scans", &before, &err) ||
	    th_imgscan_run(s, argv[2], &o, &scan, &err) || th_store_img_count(s, "scans", &after, &err) ||
	    th_store_img_load(s, scan, &f, &a, &err))
		goto done;
	/* reused: no scan was added */
	printf("scan %lld reused %d\n", (long long)scan, after == before);
	const th_image_interp *py = th_imgfacts_python(&f);
	if (py)
		printf("python %s %s %s\n", py->path, nz(py->version), th_imgfacts_implementation(py));
	printf("libc %s %s\n", nz(f.libc_family), nz(f.libc_version));
	printf("cuda %s\n", nz(f.cuda_version));
	printf("cudnn %s\n", nz(f.cudnn_version));
	printf("os %s %s\n", f.os ? f.os->id : "-", f.os ? f.os->version_id : "-");
	printf("history %zu\n", f.info.nhistory);
	for (size_t i = 0; i < f.ndists; i++) {
		const th_image_dist *d = &f.dists[i];
		const char *const *v = d->ntop_level ? d->top_level : d->record_names;
		size_t n = d->ntop_level ? d->ntop_level : d->nrecord_names;
		printf("dist %s %s import=", d->d.normalized, d->d.version);
		for (size_t k = 0; k < n; k++)
			printf("%s%s", k ? "," : "", v[k]);
		putchar('\n');
	}
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "imgscan_probe: %s\n", err.msg);
	th_arena_release(&a);
	th_store_free(s);
	return rc;
}
