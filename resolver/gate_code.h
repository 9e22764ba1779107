/*
 * gate_code — the sources against the versions they will run with: API symbols
 * the locked (or installed) version no longer has (curated knowledge),
 * standard-library modules the target Python lacks, and imports that no
 * declared dependency, locked package or installed distribution provides
 * (the source analysis of analyzer/srcdeps, completed with the lock and the
 * image).
 */
#ifndef TH_GATE_CODE_H
#define TH_GATE_CODE_H

#include "resolver/gate.h"

int th_gate_code(th_gate_report *r, const th_gate_input *in, th_error *err);

#endif
