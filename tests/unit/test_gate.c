/* Unit tests of resolver/gate (catalogue, findings, suppression) and
 * resolver/gate_lock (every lock format, hostile input), and of the install
 * and conflicts checks on hand-made input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/env.h"
#include "resolver/gate.h"
#include "resolver/gate_lock.h"

static void catalogue_is_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < th_gate_nids; i++) {
		const th_gate_id *g = &th_gate_ids[i];
		assert_non_null(g->meaning);
		assert_non_null(g->fix);
		assert_ptr_equal(th_gate_id_find(g->id), g);
		/* Ids are lower-case words joined by '-'. */
		assert_int_equal(strspn(g->id, "abcdefghijklmnopqrstuvwxyz-"), strlen(g->id));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(th_gate_ids[k].id, g->id);
	}
	assert_null(th_gate_id_find("no-such-id"));
}

static void inline_ignores(void **state)
{
	(void)state;
	const char *l1 = "x = np.float(1)  # thoth: ignore[api-removed]";
	const char *l2 = "x = 1  #thoth: ignore[ stdlib-module-absent , api-removed ]";
	const char *l3 = "x = 1  # thoth: ignore[*]";
	const char *l4 = "x = 1  # thoth: ignore[api-removed";
	const char *l5 = "s = 'thoth: ignore[api-removed]'";
	const char *l6 = "x = 1  # thoth: ignore[api-removedx]";

	assert_true(th_gate_line_ignores(l1, strlen(l1), "api-removed"));
	assert_false(th_gate_line_ignores(l1, strlen(l1), "api"));
	assert_true(th_gate_line_ignores(l2, strlen(l2), "api-removed"));
	assert_true(th_gate_line_ignores(l2, strlen(l2), "stdlib-module-absent"));
	assert_true(th_gate_line_ignores(l3, strlen(l3), "vulnerable-package"));
	assert_false(th_gate_line_ignores(l4, strlen(l4), "api-removed"));
	assert_false(th_gate_line_ignores(l5, strlen(l5), "api-removed"));
	assert_false(th_gate_line_ignores(l6, strlen(l6), "api-removed"));
	assert_false(th_gate_line_ignores("#", 1, "x"));
}

static void findings_and_baseline(void **state)
{
	(void)state;
	th_arena a;
	th_gate_report r;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	char base[512];

	th_limits_init(&lim);
	th_arena_init(&a, 1024);
	th_gate_report_init(&r, &a);
	assert_int_equal(th_gate_add(&r, &err, "vulnerable-package", "req.txt", 3, 1, "urllib3", "1.26.12", "X-1",
	                             "urllib3\nX-1", NULL, "urllib3 %s", "1.26.12"),
	                 0);
	assert_int_equal(th_gate_add(&r, &err, "sdist-only", NULL, 0, 0, "a", "1", NULL, "a", "my fix", "a"), 0);
	assert_int_equal(th_gate_add(&r, &err, "no-such-id", NULL, 0, 0, NULL, NULL, NULL, "k", NULL, "x"),
	                 TH_ERR_INVALID);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.f[0].severity, TH_SEV_ERROR);
	assert_string_equal(r.f[0].message, "urllib3 1.26.12");
	assert_string_equal(r.f[1].fix, "my fix");
	assert_int_equal(strlen(r.f[0].fingerprint), 64);
	assert_int_equal(th_gate_count(&r, TH_SEV_WARNING), 2);
	assert_int_equal(th_gate_count(&r, TH_SEV_ERROR), 1);
	/* A baseline naming the first finding's fingerprint suppresses it only. */
	snprintf(base, sizeof(base), "{\"schema\": \"thoth.check/1\", \"findings\": [{\"fingerprint\": \"%s\"}]}",
	         r.f[0].fingerprint);
	assert_int_equal(th_gate_baseline(&r, base, strlen(base), "b.json", &lim, &err), 0);
	assert_string_equal(r.f[0].suppressed, "baseline");
	assert_null(r.f[1].suppressed);
	assert_int_equal(th_gate_count(&r, TH_SEV_ERROR), 0);
	assert_int_equal(r.nsuppressed, 1);
	/* A plain list works too; bad baselines are errors naming the file. */
	assert_int_equal(th_gate_baseline(&r, "[]", 2, "b.json", &lim, &err), 0);
	assert_int_equal(th_gate_baseline(&r, "{}", 2, "b.json", &lim, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "b.json"));
	assert_int_equal(th_gate_baseline(&r, "[{\"fingerprint\": 3}]", 20, "b.json", &lim, &err), TH_ERR_INVALID);
	assert_int_equal(th_gate_baseline(&r, "[", 1, "b.json", &lim, &err), TH_ERR_INVALID);
	th_gate_report_release(&r);
	th_arena_release(&a);
}

static th_gate_lock read_lock(th_arena *a, const char *name, const char *text, int want)
{
	th_gate_lock l;
	th_limits lim;
	th_error err = TH_ERROR_INIT;

	th_limits_init(&lim);
	assert_int_equal(th_gate_lock_read(&l, name, text, strlen(text), name, &lim, a, &err), want);
	return l;
}

static void lock_formats(void **state)
{
	(void)state;
	th_arena a;
	th_gate_lock l;

	th_arena_init(&a, 1024);
	assert_string_equal(th_gate_lock_format("requirements-dev.txt"), "requirements");
	assert_string_equal(th_gate_lock_format("pylock.gpu.toml"), "pylock");
	assert_null(th_gate_lock_format("pyproject.toml"));

	l = read_lock(
	    &a, "requirements.txt",
	    "# pins\nRequests==2.31.0 --hash=sha256:aa\nflask>=2\nzope.interface==6.0 ; python_version < \"3.8\"\n"
	    "-e ./local\nnumpy==1.*\n",
	    0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.pkgs[0].name, "requests");
	assert_string_equal(l.pkgs[0].version, "2.31.0");
	assert_int_equal(l.pkgs[0].line, 2);
	assert_string_equal(l.pkgs[1].name, "zope-interface");
	assert_string_equal(l.pkgs[1].marker, "python_version < \"3.8\"");
	assert_false(l.pkgs[0].files_known);

	l = read_lock(
	    &a, "pylock.toml",
	    "lock-version = \"1.0\"\nrequires-python = \">=3.10\"\n[[packages]]\nname = \"A_b\"\nversion = \"1\"\n"
	    "requires-python = \">=3.11\"\nwheels = [{ url = \"https://x/a_b-1-py3-none-any.whl\" }, "
	    "{ path = \"w/a_b-1-cp311-cp311-linux_x86_64.whl\" }]\nsdist = { name = \"a_b-1.tar.gz\" }\n",
	    0);
	assert_string_equal(l.requires_python, ">=3.10");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.pkgs[0].name, "a-b");
	assert_int_equal(l.pkgs[0].nwheels, 2);
	assert_string_equal(l.pkgs[0].wheels[0], "a_b-1-py3-none-any.whl");
	assert_string_equal(l.pkgs[0].wheels[1], "a_b-1-cp311-cp311-linux_x86_64.whl");
	assert_true(l.pkgs[0].has_sdist && l.pkgs[0].files_known);
	assert_string_equal(l.pkgs[0].requires_python, ">=3.11");

	l = read_lock(&a, "uv.lock",
	              "version = 1\nrequires-python = \">=3.9\"\n[[package]]\nname = \"app\"\nversion = \"0.1\"\n"
	              "source = { editable = \".\" }\n[[package]]\nname = \"idna\"\nversion = \"3.7\"\n"
	              "source = { registry = \"https://x/simple\" }\nsdist = { url = \"https://x/idna-3.7.tar.gz\" }\n"
	              "wheels = [{ url = \"https://x/idna-3.7-py3-none-any.whl\" }]\n",
	              0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.pkgs[0].name, "idna");
	assert_int_equal(l.pkgs[0].line, 7);
	assert_int_equal(l.pkgs[0].nwheels, 1);

	l = read_lock(&a, "poetry.lock",
	              "[[package]]\nname = \"six\"\nversion = \"1.16.0\"\npython-versions = \">=2.7, !=3.0.*\"\n"
	              "files = [{file = \"six-1.16.0-py2.py3-none-any.whl\", hash = \"sha256:1\"}, {file = "
	              "\"six-1.16.0.tar.gz\", hash = \"sha256:2\"}]\n[[package]]\nname = \"x\"\nversion = \"1\"\n"
	              "python-versions = \"^3.8\"\n[metadata]\npython-versions = \"^3.9\"\n",
	              0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.pkgs[0].nwheels, 1);
	assert_true(l.pkgs[0].has_sdist);
	assert_string_equal(l.pkgs[0].requires_python, ">=2.7, !=3.0.*");
	assert_null(l.pkgs[1].requires_python); /* Poetry's ^ is not PEP 440 */
	assert_null(l.requires_python);

	l = read_lock(&a, "Pipfile.lock", "{\"default\": {\"Flask\": {\"version\": \"==2.0.1\"}}, \"develop\": {}}", 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.pkgs[0].name, "flask");
	assert_string_equal(l.pkgs[0].version, "2.0.1");

	/* Hostile or broken input is an error, never a crash. */
	read_lock(&a, "pylock.toml", "packages = 3\n", TH_ERR_INVALID);
	read_lock(&a, "pylock.toml", "[[packages]]\nversion = \"1\"\n", TH_ERR_INVALID);
	read_lock(&a, "uv.lock", "[[package]\n", TH_ERR_INVALID);
	read_lock(&a, "Pipfile.lock", "[", TH_ERR_INVALID);
	read_lock(&a, "requirements.txt", "-r other.txt\n", TH_ERR_UNSUPPORTED);
	read_lock(&a, "pyproject.toml", "", TH_ERR_UNSUPPORTED);
	l = read_lock(&a, "pylock.toml", "[[packages]]\nname = \"w\"\nwheels = [1, {name = 2}, {}]\n", 0);
	assert_int_equal(l.pkgs[0].nwheels, 0);
	assert_null(l.pkgs[0].version);
	th_arena_release(&a);
}

/* Install and conflicts on hand-made facts: a target Python 3.11 on glibc
 * 2.36, an image with pip-installed foo needing bar>=2 and an old bar. */
static void install_and_conflicts(void **state)
{
	(void)state;
	th_arena a;
	th_env env;
	th_gate_report r;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	const char *foo_req[] = {"bar>=2", "missing; extra == \"x\"", "win; sys_platform == \"win32\""};
	th_gate_dist dists[] = {
	    {"foo", "1.0", NULL, foo_req, 3, NULL, 0, "pip", NULL, "/site"},
	    {"bar", "1.5", NULL, NULL, 0, NULL, 0, "pip", NULL, "/site"},
	    {"six", "1.16.0", NULL, NULL, 0, NULL, 0, NULL, "python3-six", "/usr/lib/python3/dist-packages"},
	};
	th_gate_image img = {"img",  "debian", "12", "amd64", "3.11.4", "/usr/bin/python3.11", "glibc", 2, 36,
	                     "2.36", dists,    3,    NULL,    0};
	const char *w_new[] = {"n-1-cp311-cp311-manylinux_2_39_x86_64.whl"};
	const char *w_ok[] = {"o-1-cp311-abi3-manylinux_2_17_x86_64.whl"};
	th_gate_locked pk[] = {
	    {"n", "1", "pylock.toml", 4, w_new, 1, false, true, NULL, NULL, false},
	    {"o", "1", "pylock.toml", 8, w_ok, 1, false, true, ">=3.12", NULL, false},
	    {"six", "1.17.0", "pylock.toml", 12, NULL, 0, true, true, NULL, NULL, false},
	    {"w", "1", "pylock.toml", 16, NULL, 0, false, true, NULL, "sys_platform == \"win32\"", false},
	};
	th_gate_lock lock = {"pylock.toml", "pylock", NULL, pk, 4};
	th_gate_input in = {
	    .env = &env, .target_source = "image img", .image = &img, .lock = &lock, .root = ".", .lim = &lim};
	th_env_spec spec = {0};
	char ids[512] = "";

	th_limits_init(&lim);
	th_arena_init(&a, 1024);
	spec.python = "3.11.4";
	spec.platform = "x86_64-manylinux_2_36";
	assert_int_equal(th_env_init(&env, &spec, &err), 0);
	th_gate_report_init(&r, &a);
	assert_int_equal(th_gate_run(&r, &in, &err), 0);
	for (size_t i = 0; i < r.n; i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s:%s ", r.f[i].id,
		         r.f[i].package ? r.f[i].package : "-");
	assert_string_equal(ids, "dependency-conflict:foo no-compatible-wheel:n python-unsupported:o "
	                         "os-package-replaced:six sdist-only:six ");
	assert_non_null(strstr(r.f[1].message, "need glibc 2.39, the target has 2.36"));
	th_gate_report_release(&r);
	th_env_release(&env);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(catalogue_is_consistent), cmocka_unit_test(inline_ignores),
	    cmocka_unit_test(findings_and_baseline),   cmocka_unit_test(lock_formats),
	    cmocka_unit_test(install_and_conflicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
