# Turns `go test -bench` output into a Markdown table: one row per
# benchmark result, with every figure it reported (ns/op, B/op, allocs/op
# and custom metrics such as deliveries/s), and the package of each.
/^pkg: / { pkg = $2; next }
/^Benchmark/ && NF >= 4 {
	if (!header) {
		print "| package | benchmark | runs | figures |"
		print "| --- | --- | ---: | --- |"
		header = 1
	}
	figures = ""
	for (i = 3; i + 1 <= NF; i += 2) {
		figures = figures (figures == "" ? "" : " · ") $i " " $(i + 1)
	}
	printf "| %s | %s | %s | %s |\n", pkg, $1, $2, figures
}
END { if (!header) print "No benchmark results." }
