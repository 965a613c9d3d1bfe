# Summarises `go test -bench` output (make bench): one row per benchmark that
# reports throughput, with its latency percentiles, as a Markdown table.
# Benchmarks without req/s (pure functions) stay in the full output only.
/^pkg: / { pkg = $2; sub(/^.*\/rentdesk\//, "", pkg) }
/^cpu: / { sub(/^cpu: /, ""); cpu = $0 }
/^Benchmark/ {
	delete v
	for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
	if (!("req/s" in v)) next
	name = $1
	sub(/-[0-9]+$/, "", name)
	sub(/^Benchmark/, "", name)
	if (!header++) {
		printf "| Benchmark (%s) | req/s | p50 ms | p95 ms | p99 ms | allocs/op |\n", cpu
		print "| --- | ---: | ---: | ---: | ---: | ---: |"
	}
	printf "| %s %s | %.0f | %s | %s | %s | %s |\n", pkg, name, v["req/s"], v["p50-ms"], v["p95-ms"], v["p99-ms"], v["allocs/op"]
}
