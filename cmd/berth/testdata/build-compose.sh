#!/usr/bin/env bash
# build-compose.sh VERSION OUT: build Docker Compose VERSION (a v5 release)
# from its Go module, as served by the Go module proxy, into the binary OUT.
# `make compat` runs Berth's compatibility tests against it. Compose's
# go.mod has exclude directives, so `go install module@version` refuses it:
# the module is downloaded, copied and built as a main module instead.
set -euo pipefail
version=$1
out=$(realpath -m "$2")
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"
dir=$(go mod download -json "github.com/docker/compose/v5@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "build-compose: could not download github.com/docker/compose/v5@$version" >&2; exit 1; }
cp -r "$dir" src
chmod -R u+w src
mkdir -p "$(dirname "$out")"
(cd src && go build -trimpath -ldflags "-X github.com/docker/compose/v5/internal.Version=$version" -o "$out.tmp" ./cmd)
mv "$out.tmp" "$out"
echo "build-compose: $("$out" version) at $out"
