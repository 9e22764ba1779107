# random_reqs.awk — one seeded random requirement set for the differential
# tests: reads "NAME VERSION..." lines (one project each, versions in index
# order) and prints 1 to 4 requirements, some bounded below a version so the
# resolver must backtrack. awk -v seed=N -v mult=M -v add=A (the same seed,
# mult and add give the same set on every machine: a plain LCG, not awk's rand).
function rnd() { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 }
{ line[NR] = $0 }
END {
	state = seed * mult + add; k = 1 + int(rnd() * 4)
	for (i = 0; i < k; i++) {
		n = split(line[1 + int(rnd() * NR)], f, " ")
		if (n > 3 && rnd() < 0.3) print f[1] "<" f[2 + int(rnd() * (n - 1))]
		else print f[1]
	}
}
