# validate_sarif FILE — validates FILE against the official SARIF 2.1.0
# schema in ../shared/data/schemas. ../shared/tools/validate_json.py does
# this, but its reference store lacks the SARIF schema's own "id", so
# jsonschema tries to fetch it over the network (there is none here); this
# wrapper runs the same validation with the schema registered under its id.
# Sourced by shell tests; needs THOTH_SHARED and python3-jsonschema.
validate_sarif() {
  /usr/bin/python3 - "$THOTH_SHARED/data/schemas/sarif/sarif-schema-2.1.0.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
resolver = jsonschema.RefResolver(base_uri=schema.get("id", ""), referrer=schema,
                                  store={schema.get("id", ""): schema})
cls = jsonschema.validators.validator_for(schema)
errors = sorted(cls(schema, resolver=resolver).iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for e in errors[:10]:
    print("/".join(map(str, e.path)) or "(root)", ":", e.message[:200])
print("valid" if not errors else "%d schema errors" % len(errors))
sys.exit(1 if errors else 0)
PY
}
