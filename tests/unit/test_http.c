/* Unit tests of extractors/http: th_http_resolve (RFC 3986 reference
 * resolution), on the fast path the importer takes for plain project and
 * file references and on the cases left to libcurl's parser; both must give
 * the RFC's answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "extractors/http.h"

static void resolve(void **state)
{
	static const char *const cases[][3] = {
		/* fast path */
		{ "http://h/simple/", "requests/", "http://h/simple/requests/" },
		{ "http://h/simple/", "requests", "http://h/simple/requests" },
		{ "http://h:8080/a/simple/index.html", "x_y.z-1/", "http://h:8080/a/simple/x_y.z-1/" },
		{ "http://h/simple/p/", "../../files/p-1.0+cpu-py3-none-any.whl", "http://h/files/p-1.0+cpu-py3-none-any.whl" },
		{ "https://u:pw@h/s/p/", "../f/a.whl", "https://u:pw@h/s/f/a.whl" },
		{ "file:///srv/idx/simple/p/", "../../files/x.tar.gz", "file:///srv/idx/files/x.tar.gz" },
		{ "http://h/simple/p/index.html", "a!$&'()*,;=@~.whl", "http://h/simple/p/a!$&'()*,;=@~.whl" },
		/* left to the parser */
		{ "http://h/simple/", "http://other/x", "http://other/x" },
		{ "http://h/simple/p/", "/files/x.whl", "http://h/files/x.whl" },
		{ "http://h/simple/p/", "./x.whl", "http://h/simple/p/x.whl" },
		{ "http://h/simple/p/", "a/./b/../c", "http://h/simple/p/a/c" },
		{ "http://h/a/", "../../../x", "http://h/x" },
		{ "http://h/simple/", "caf%C3%A9/", "http://h/simple/caf%C3%A9/" },
		{ "http://h/simple/?q=1", "x/", "http://h/simple/x/" },
		{ "http://h/s/./p/", "x", "http://h/s/p/x" },
		{ "http://h/simple/", "", "http://h/simple/" },
		{ "http://h/simple/", "//other/x", "http://other/x" },
	};
	th_buf out = TH_BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(th_http_resolve(&out, cases[i][0], cases[i][1], NULL), 0);
		assert_string_equal(out.ptr, cases[i][2]);
	}
	th_buf_release(&out);
}

/* Content-Range of a 206: the first byte and the whole size, or both 0
 * for anything not exactly the RFC's form. */
static void content_range(void **state)
{
	static const struct {
		const char *v;
		uint64_t start, total;
	} cases[] = {
		{ "bytes 0-99/100", 0, 100 },
		{ "bytes 3341824-3407380/3407381", 3341824, 3407381 },
		{ "bytes 5-9/*", 5, 0 },
		{ "bytes 18446744073709551614-18446744073709551614/18446744073709551615", 18446744073709551614u,
		  18446744073709551615u },
		{ "bytes 5-x/100", 0, 0 },                 /* no LAST */
		{ "bytes 9-5/100", 0, 0 },                 /* LAST before FIRST */
		{ "bytes 0-100/100", 0, 0 },               /* LAST past the end */
		{ "bytes 0-9/100 ", 0, 0 },                /* trailing bytes */
		{ "bytes */100", 0, 0 },                   /* a 416's form */
		{ "bits 0-9/100", 0, 0 },
		{ "bytes -5-9/100", 0, 0 },
		{ "bytes 0-9/18446744073709551616", 0, 0 }, /* past 64 bits */
		{ "", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t start = 7, total = 7;
		th_http_content_range(cases[i].v, &start, &total);
		if (start != cases[i].start || total != cases[i].total)
			fail_msg("'%s': got %llu/%llu", cases[i].v, (unsigned long long)start, (unsigned long long)total);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolve),
		cmocka_unit_test(content_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
