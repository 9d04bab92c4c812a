#!/usr/bin/env bash
# Show the running example stack answering: the products, a login, an order
# placed through the gateway, and the stored orders. `make demo` runs it
# after `berth up --build --wait`.
set -euo pipefail
BERTH=${BERTH:-./bin/berth}
FILE=${FILE:-examples/microservices/compose.yaml}

# the gateway's published address, as berth ps reports it
addr=$("$BERTH" -f "$FILE" ps --format '{{range .Publishers}}{{if eq .TargetPort 8080}}{{.URL}} {{.PublishedPort}}{{println}}{{end}}{{end}}' web |
	awk '$1 !~ /:/ && NF == 2 { ip = ($1 == "0.0.0.0" ? "127.0.0.1" : $1); print ip ":" $2; exit }')
[ -n "$addr" ] || { echo "demo: web publishes no port; is the stack up?" >&2; exit 1; }
base="http://$addr"

# show prints a command, each argument shell-quoted where it needs it so
# the line can be pasted, then runs it
show() {
	local line="" a
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:=@-]+$ ]]; then line+=" $a"; else line+=" '$a'"; fi
	done
	printf '\n$%s\n' "$line"
	"$@"
	echo
}

echo "The example stack is up. The gateway answers at $base"
show curl -sS "$base/api/products"
login=$(curl -sS -X POST -d '{"user":"demo"}' "$base/api/login")
printf '\n$ curl -sS -X POST -d '"'"'{"user":"demo"}'"'"' %s/api/login\n%s\n' "$base" "$login"
token=$(printf '%s' "$login" | sed 's/.*"token":"\([^"]*\)".*/\1/')
show curl -sS -X POST -H "Authorization: Bearer $token" -d '{"product_id":"p-100","quantity":2}' "$base/api/orders"
show curl -sS "$base/api/orders?user=demo"
cat <<EOT

Open $base in a browser for the shop page.
Stop the stack with:  make demo-down   (keeps nothing: it also removes the orders volume)
EOT
