/* Unit tests of analyzer/store_image: image facts and the layer cache live
 * in the caller's transaction, so a rolled-back scan leaves nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_image.h"

static th_store *open_tmp(const char *name)
{
	const char *t = getenv("TMPDIR");
	char path[512];
	th_store *s;

	snprintf(path, sizeof(path), "%s/test_store_image_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(path));
	strcat(path, "/");
	strcat(path, name);
	assert_int_equal(th_store_open(&s, path, NULL), 0);
	return s;
}

static void facts_and_cache(void **state)
{
	th_store *s = open_tmp("t.db");
	th_error err = TH_ERROR_INIT;
	th_buf b = TH_BUF_INIT;
	int64_t id, n;
	th_image_info info = { "ref", "oci-layout", "sha256:m", "sha256:c", "linux", "amd64", "", NULL, 0, NULL, 0,
			       NULL, 0, 1, 0, NULL, 0, NULL };
	th_image_layer l = { 0, "tar", "sha256:d", "sha256:x", "gzip", 1, 2, 3, 0, false };
	th_osrelease os = { "debian", "12", "Debian", "", "", "", "debian" };
	th_image_pkg p = { "deb", "bash", "5.2", "amd64", "bash", "5.2", NULL, NULL, NULL };
	const char *req[] = { "a>1", "b; extra == \"x\"" };
	th_image_dist d = { { "Foo", "foo", "1.0", ">=3.8", req, 2, NULL, 0, NULL, false },
			    "/usr/lib/python3/dist-packages", "/usr/lib/python3/dist-packages/foo-1.0.dist-info",
			    "dist-info", "pip", NULL, NULL, NULL, NULL, 0, req, 1, 7, NULL, 0 };

	(void)state;
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_img_scan(s, &info, &id, &err), 0);
	assert_int_equal(th_store_img_layer(s, id, &l, &err), 0);
	assert_int_equal(th_store_img_os(s, id, &os, &err), 0);
	assert_int_equal(th_store_img_package(s, id, &p, &err), 0);
	assert_int_equal(th_store_img_dist(s, id, &d, &err), 0);
	assert_int_equal(th_store_img_cache_put(s, "sha256:x", "log", 3, &err), 0);
	th_store_rollback(s);
	assert_int_equal(th_store_img_count(s, "scans", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(th_store_img_cache_get(s, "sha256:x", &b, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_img_scan(s, &info, &id, &err), 0);
	assert_int_equal(th_store_img_dist(s, id, &d, &err), 0);
	assert_int_equal(th_store_img_cache_put(s, "sha256:x", "log", 3, &err), 0);
	assert_int_equal(th_store_commit(s, &err), 0);
	assert_int_equal(th_store_img_count(s, "dists", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(th_store_img_cache_get(s, "sha256:x", &b, &err), 0);
	assert_int_equal(b.len, 3);
	assert_int_equal(th_store_img_count(s, "nonsense", &n, &err), TH_ERR_USAGE);
	assert_int_equal(th_store_check(s, &err), 0);
	th_buf_release(&b);
	th_store_free(s);
}

/* What a scan wrote comes back whole: lists with newlines and empty strings
 * in config values, history, NULL vs empty, the derived libc and CUDA, the
 * documented order; and the latest complete scan is found by its digests. */
static void load_round_trip(void **state)
{
	th_store *s = open_tmp("load.db");
	th_error err = TH_ERROR_INIT;
	th_arena a;
	th_imgfacts f;
	int64_t id, got;
	const char *env[] = { "PATH=/usr/local/bin:/usr/bin", "X=a\nb" };
	const char *cmd[] = { "sh", "-c", "echo 1\necho 2", "" };
	const char *labels[] = { "k", "v\nw", "empty", "" };
	th_image_history hist[] = { { "2024-01-01T00:00:00Z", "ADD file", false, NULL, "debuerreotype" },
				    { NULL, "CMD [\"bash\"]", true, "me", NULL } };
	th_image_info info = { "ref", "oci-layout", "sha256:m", "sha256:c", "linux", "amd64", "", env, 2, NULL, 0,
			       cmd, 4, 1, 2, labels, 2, hist };
	th_image_layer l = { 0, "tar", "sha256:d", "sha256:x", "gzip", 1, 2, 3, 0, false };
	th_osrelease os = { "debian", "12", "Debian", "", "", "bookworm", "debian" };
	th_image_pkg p1 = { "deb", "zlib", "1", "amd64", NULL, NULL, NULL, NULL, NULL };
	th_image_pkg p2 = { "deb", "bash", "5.2", "amd64", "bash", "5.2", NULL, NULL, NULL };
	const char *req[] = { "a>1", "b; extra == \"x\"" };
	const char *extras[] = { "x" };
	const char *tops[] = { "foo", "_foo" };
	const char *sites[] = { "/usr/lib/python3/dist-packages" };
	th_image_dist d1 = { { "Foo", "foo", "1.0", ">=3.8", req, 2, extras, 1, "A foo", false },
			     "/usr/lib/python3/dist-packages", "/usr/lib/python3/dist-packages/foo-1.0.dist-info",
			     "dist-info", "pip", NULL, NULL, NULL, NULL, 0, NULL, 0, -1, tops, 2 };
	th_image_dist d2 = { { "Bar", "bar", "2.0", NULL, NULL, 0, NULL, 0, NULL, true },
			     "/opt/venv/lib/python3.11/site-packages", "/opt/venv/lib/python3.11/site-packages/bar-2.0.dist-info",
			     "dist-info", NULL, "python3-bar", "/opt/venv", "file:///x", tops, 1, NULL, 0, 4, NULL, 0 };
	th_image_interp i1 = { "/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0", "3.12.1", "binary", 3, 12, true, NULL, 0 };
	th_image_interp i2 = { "/usr/bin/python3.11", "3.11.2", "binary", 3, 11, false, sites, 1 };
	th_image_interp i3 = { "/opt/py/bin/python3.13", "3.13.0", "binary", 3, 13, false, NULL, 0 };
	th_image_env e = { "/opt/venv", "venv", "/usr/bin", "3.11.2", true };
	th_image_lib l1 = { "/usr/lib/x86_64-linux-gnu/libc.so.6", "libc.so.6", "x86_64", 64, "libc", "2.36", "2.36", NULL };
	th_image_lib l2 = { "/usr/local/cuda/lib64/libcudart.so.12", "libcudart.so.12", "x86_64", 64, "cuda-runtime",
			    "12.2.140", NULL, "ELF" };
	th_image_lib l3 = { "/usr/lib/libcudnn.so.8", NULL, "x86_64", 64, "cudnn", "8.9.7", NULL, NULL };
	th_image_stats st = { 10, 12, 1000, 50 };

	(void)state;
	th_arena_init(&a, 4096);
	assert_int_equal(th_store_img_latest(s, "sha256:c", &got, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_img_scan(s, &info, &id, &err), 0);
	assert_int_equal(th_store_img_layer(s, id, &l, &err), 0);
	assert_int_equal(th_store_img_os(s, id, &os, &err), 0);
	assert_int_equal(th_store_img_package(s, id, &p1, &err), 0);
	assert_int_equal(th_store_img_package(s, id, &p2, &err), 0);
	assert_int_equal(th_store_img_interpreter(s, id, &i1, &err), 0);
	assert_int_equal(th_store_img_interpreter(s, id, &i2, &err), 0);
	assert_int_equal(th_store_img_interpreter(s, id, &i3, &err), 0);
	assert_int_equal(th_store_img_env(s, id, &e, &err), 0);
	assert_int_equal(th_store_img_dist(s, id, &d2, &err), 0);
	assert_int_equal(th_store_img_dist(s, id, &d1, &err), 0);
	assert_int_equal(th_store_img_library(s, id, &l2, &err), 0);
	assert_int_equal(th_store_img_library(s, id, &l3, &err), 0);
	assert_int_equal(th_store_img_library(s, id, &l1, &err), 0);
	assert_int_equal(th_store_commit(s, &err), 0);
	/* without its stats the scan is incomplete: not offered for reuse */
	assert_int_equal(th_store_img_latest(s, "sha256:c", &got, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_img_stats(s, id, &st, &err), 0);
	assert_int_equal(th_store_commit(s, &err), 0);
	assert_int_equal(th_store_img_latest(s, "sha256:c", &got, &err), 0);
	assert_int_equal(got, id);
	assert_int_equal(th_store_img_latest(s, "sha256:m", &got, &err), 0);
	assert_int_equal(got, id);
	assert_int_equal(th_store_img_latest(s, "ref", &got, &err), 0);
	assert_int_equal(got, id);
	assert_int_equal(th_store_img_count(s, "history", &got, &err), 0);
	assert_int_equal(got, 2);

	assert_int_equal(th_store_img_load(s, id, &f, &a, &err), 0);
	assert_int_equal(f.scan, id);
	assert_string_equal(f.info.ref, "ref");
	assert_string_equal(f.info.config_digest, "sha256:c");
	assert_string_equal(f.info.variant, "");
	assert_int_equal(f.info.nenv, 2);
	assert_string_equal(f.info.env[1], "X=a\nb");
	assert_int_equal(f.info.nentrypoint, 0);
	assert_null(f.info.entrypoint);
	assert_int_equal(f.info.ncmd, 4);
	assert_string_equal(f.info.cmd[2], "echo 1\necho 2");
	assert_string_equal(f.info.cmd[3], "");
	assert_int_equal(f.info.nlabels, 2);
	assert_string_equal(f.info.labels[1], "v\nw");
	assert_string_equal(f.info.labels[3], "");
	assert_int_equal(f.info.nhistory, 2);
	assert_string_equal(f.info.history[0].comment, "debuerreotype");
	assert_null(f.info.history[0].author);
	assert_null(f.info.history[1].created);
	assert_string_equal(f.info.history[1].author, "me");
	assert_true(f.info.history[1].empty_layer);
	assert_int_equal(f.stats.tree_bytes, 1000);
	assert_int_equal(f.nlayers, 1);
	assert_string_equal(f.layers[0].diff_id, "sha256:x");
	assert_non_null(f.os);
	assert_string_equal(f.os->codename, "bookworm");
	assert_int_equal(f.npkgs, 2);
	assert_string_equal(f.pkgs[0].name, "bash"); /* sorted */
	assert_null(f.pkgs[1].source);
	assert_int_equal(f.ndists, 2);
	assert_string_equal(f.dists[0].d.normalized, "bar"); /* by location: /opt first */
	assert_int_equal(f.dists[0].files, 4);
	assert_true(f.dists[0].d.from_dirname);
	assert_null(f.dists[0].d.requires_python);
	assert_int_equal(f.dists[0].d.nrequires_dist, 0);
	assert_string_equal(f.dists[0].environment, "/opt/venv");
	assert_int_equal(f.dists[1].files, -1);
	assert_int_equal(f.dists[1].d.nrequires_dist, 2);
	assert_string_equal(f.dists[1].d.requires_dist[1], "b; extra == \"x\"");
	assert_int_equal(f.dists[1].d.nprovides_extra, 1);
	assert_string_equal(f.dists[1].d.summary, "A foo");
	assert_int_equal(f.dists[1].nrecord_names, 2);
	assert_string_equal(f.dists[1].record_names[1], "_foo");
	assert_int_equal(f.ninterps, 3);
	assert_string_equal(f.interps[0].path, "/opt/py/bin/python3.13");
	assert_int_equal(f.interps[2].minor, 12);
	assert_int_equal(f.interps[1].nsite_dirs, 1);
	assert_int_equal(f.nenvs, 1);
	assert_true(f.envs[0].system_site_packages);
	assert_int_equal(f.nlibs, 3);
	assert_string_equal(f.libc_family, "glibc");
	assert_string_equal(f.libc_version, "2.36");
	assert_string_equal(f.libc->glibc_max, "2.36");
	assert_string_equal(f.cuda_version, "12.2.140");
	assert_string_equal(f.cudnn_version, "8.9.7");

	assert_int_equal(th_store_img_load(s, id + 100, &f, &a, &err), TH_ERR_NOTFOUND);
	th_arena_release(&a);
	th_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(facts_and_cache),
		cmocka_unit_test(load_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
