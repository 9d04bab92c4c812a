# benchtable.awk turns `go test -bench BenchmarkStack` output into a table:
# every input line is passed through as it arrives, then, at the end, one
# row per stack size and operation with berth's and docker-compose's time per
# operation and their ratio, and the issue's targets for N=50, met or not.
# It exits 1 when the test run failed, so `make bench` fails too.
#
#   go test -run '^$' -bench '^BenchmarkStack$' ./cmd/berth | awk -f benchtable.awk

function fmtdur(ns) {
	if (ns == "") return "—"
	if (ns < 1e9) return sprintf("%.0f ms", ns / 1e6)
	return sprintf("%.2f s", ns / 1e9)
}

function ratio(a, b) {
	if (a == "" || b == "" || b == 0) return "—"
	return sprintf("%.2f×", a / b)
}

BEGIN {
	label["cold"] = "cold `up -d`"
	label["noop"] = "no-op `up -d`"
	label["recreate"] = "one-service recreate"
	label["ps"] = "`ps`"
	label["logs"] = "`logs`"
	label["exec"] = "`exec` of a short command"
	label["run"] = "`run --rm` of a short command"
	label["restart"] = "`restart` of one service"
	label["down"] = "`down`"
	failed = 0
}

{ print; fflush() }

/^(FAIL|--- FAIL|panic:)/ { failed = 1 }

$1 ~ /^BenchmarkStack\/N=[0-9]+\/tool=[^\/]+\/op=/ && $4 == "ns/op" {
	name = $1
	sub(/-[0-9]+$/, "", name)          # the -GOMAXPROCS suffix
	split(name, part, "/")
	n = substr(part[2], 3); tool = substr(part[3], 6); op = substr(part[4], 4)
	if (!((n, op) in seen)) {
		seen[n, op] = 1
		rows[++nrows] = n SUBSEP op
	}
	ns[n, op, tool] = $3
	iters[n, op, tool] = $2
}

END {
	if (nrows == 0) exit failed ? 1 : 0
	print ""
	print "| N | operation | berth | docker-compose | berth ÷ docker-compose |"
	print "|---:|---|---:|---:|---:|"
	for (i = 1; i <= nrows; i++) {
		split(rows[i], k, SUBSEP)
		b = ns[k[1], k[2], "berth"]; d = ns[k[1], k[2], "docker-compose"]
		printf "| %s | %s | %s | %s | %s |\n", k[1], (k[2] in label ? label[k[2]] : k[2]), fmtdur(b), fmtdur(d), ratio(b, d)
	}
	print ""
	if (ns[50, "noop", "berth"] != "") {
		v = ns[50, "noop", "berth"]
		printf "target N=50 no-op up ≤ 150 ms: %s — %s\n", fmtdur(v), (v <= 150e6 ? "met" : "MISSED")
	}
	if (ns[50, "cold", "berth"] != "" && ns[50, "cold", "docker-compose"] != "") {
		v = ns[50, "cold", "berth"] / ns[50, "cold", "docker-compose"]
		printf "target N=50 cold up ≤ 0.5× docker-compose: %.2f× — %s\n", v, (v <= 0.5 ? "met" : "MISSED")
	}
	if (ns[50, "down", "berth"] != "" && ns[50, "down", "docker-compose"] != "") {
		v = ns[50, "down", "berth"] / ns[50, "down", "docker-compose"]
		printf "target N=50 down ≤ 0.4× docker-compose: %.2f× — %s\n", v, (v <= 0.4 ? "met" : "MISSED")
	}
	exit failed ? 1 : 0
}
