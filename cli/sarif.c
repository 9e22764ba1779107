#include "cli/sarif.h"

#include <string.h>

static void sarif__text(th_jw *w, const char *key, const char *text)
{
	th_jw_key(w, key);
	th_jw_obj_begin(w);
	th_jw_key(w, "text");
	th_jw_str(w, text);
	th_jw_obj_end(w);
}

void th_sarif_begin(th_jw *w, const char *version, const th_sarif_rule *rules, size_t nrules, const char *root_text)
{
	th_jw_obj_begin(w);
	th_jw_key(w, "$schema");
	th_jw_str(w, "https://json.schemastore.org/sarif-2.1.0.json");
	th_jw_key(w, "version");
	th_jw_str(w, "2.1.0");
	th_jw_key(w, "runs");
	th_jw_arr_begin(w);
	th_jw_obj_begin(w);
	th_jw_key(w, "tool");
	th_jw_obj_begin(w);
	th_jw_key(w, "driver");
	th_jw_obj_begin(w);
	th_jw_key(w, "name");
	th_jw_str(w, "thoth");
	th_jw_key(w, "version");
	th_jw_str(w, version);
	th_jw_key(w, "rules");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < nrules; i++) {
		th_jw_obj_begin(w);
		th_jw_key(w, "id");
		th_jw_str(w, rules[i].id);
		sarif__text(w, "shortDescription", rules[i].short_text);
		if (rules[i].help)
			sarif__text(w, "help", rules[i].help);
		th_jw_key(w, "defaultConfiguration");
		th_jw_obj_begin(w);
		th_jw_key(w, "level");
		th_jw_str(w, rules[i].level);
		th_jw_obj_end(w);
		th_jw_obj_end(w);
	}
	th_jw_arr_end(w);
	th_jw_obj_end(w);
	th_jw_obj_end(w);
	th_jw_key(w, "originalUriBaseIds");
	th_jw_obj_begin(w);
	th_jw_key(w, "SRCROOT");
	th_jw_obj_begin(w);
	sarif__text(w, "description", root_text);
	th_jw_obj_end(w);
	th_jw_obj_end(w);
	th_jw_key(w, "results");
	th_jw_arr_begin(w);
}

static void sarif__location(th_jw *w, const th_sarif_result *r)
{
	th_buf uri = TH_BUF_INIT;

	th_jw_key(w, "locations");
	th_jw_arr_begin(w);
	th_jw_obj_begin(w);
	th_jw_key(w, "physicalLocation");
	th_jw_obj_begin(w);
	th_jw_key(w, "artifactLocation");
	th_jw_obj_begin(w);
	th_jw_key(w, "uri");
	if (r->uri[0] == '/') {
		/* Percent-encode what a URI may not hold raw. */
		th_buf_puts(&uri, "file://", NULL);
		for (const unsigned char *p = (const unsigned char *)r->uri; *p; p++)
			if (*p <= ' ' || *p >= 0x7f || strchr("%\"<>\\^`{|}#?[]", *p))
				th_buf_printf(&uri, NULL, "%%%02X", *p);
			else
				th_buf_putc(&uri, (char)*p, NULL);
		th_jw_str(w, uri.ptr);
	} else {
		th_jw_str(w, r->uri);
		th_jw_key(w, "uriBaseId");
		th_jw_str(w, "SRCROOT");
	}
	th_jw_obj_end(w);
	if (r->line) {
		th_jw_key(w, "region");
		th_jw_obj_begin(w);
		th_jw_key(w, "startLine");
		th_jw_int(w, r->line);
		if (r->col) {
			th_jw_key(w, "startColumn");
			th_jw_int(w, r->col);
		}
		th_jw_obj_end(w);
	}
	th_jw_obj_end(w);
	th_jw_obj_end(w);
	th_jw_arr_end(w);
	th_buf_release(&uri);
}

void th_sarif_add(th_jw *w, const th_sarif_result *r)
{
	th_jw_obj_begin(w);
	th_jw_key(w, "ruleId");
	th_jw_str(w, r->rule_id);
	th_jw_key(w, "level");
	th_jw_str(w, r->level);
	sarif__text(w, "message", r->message);
	if (r->uri)
		sarif__location(w, r);
	if (r->fingerprint) {
		th_jw_key(w, "partialFingerprints");
		th_jw_obj_begin(w);
		th_jw_key(w, "thoth/v1");
		th_jw_str(w, r->fingerprint);
		th_jw_obj_end(w);
	}
	if (r->suppressed) {
		th_jw_key(w, "suppressions");
		th_jw_arr_begin(w);
		th_jw_obj_begin(w);
		th_jw_key(w, "kind");
		th_jw_str(w, r->suppressed);
		th_jw_obj_end(w);
		th_jw_arr_end(w);
	}
	if (r->nprops) {
		th_jw_key(w, "properties");
		th_jw_obj_begin(w);
		for (size_t i = 0; i + 1 < 2 * r->nprops; i += 2) {
			th_jw_key(w, r->props[i]);
			th_jw_str(w, r->props[i + 1]);
		}
		th_jw_obj_end(w);
	}
	th_jw_obj_end(w);
}

void th_sarif_end(th_jw *w)
{
	th_jw_arr_end(w);
	th_jw_obj_end(w);
	th_jw_arr_end(w);
	th_jw_obj_end(w);
}
