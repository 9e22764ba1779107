/*
 * gate_security — advisories (the knowledge base's OSV records) affecting the
 * locked versions and the versions installed in the image, with their fixed
 * versions. A distribution the OS package manager installed is reported as a
 * distribution package (a note): distributions patch without changing the
 * upstream version, so its upstream version says little.
 */
#ifndef TH_GATE_SECURITY_H
#define TH_GATE_SECURITY_H

#include "resolver/gate.h"

int th_gate_security(th_gate_report *r, const th_gate_input *in, th_error *err);

#endif
