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

static void facts_and_cache(void **state)
{
	const char *t = getenv("TMPDIR");
	char path[512];
	th_store *s;
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
			    "dist-info", "pip", NULL, NULL, NULL, NULL, 0, req, 1, 7 };

	snprintf(path, sizeof(path), "%s/test_store_image_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(path));
	strcat(path, "/t.db");
	assert_int_equal(th_store_open(&s, path, &err), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(facts_and_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
