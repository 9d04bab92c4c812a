#!/usr/bin/env bash
# Seed the Docker Engine with the base images the examples and tests need,
# built locally, for machines that cannot reach a registry:
#
#   busybox:latest                  Debian's busybox-static on an empty rootfs
#   alpine:latest                   the same, with an /etc/os-release naming it
#                                   as a stand-in (there is no apk)
#   golang:<X.Y.Z> and golang:<X.Y>  the host's Go toolchain (GOROOT) with a
#                                   busybox shell, set up like the official
#                                   image: PATH, GOPATH=/go, WORKDIR /go, plus
#                                   GOTOOLCHAIN=local and CGO_ENABLED=0
#
# An image is created only when its tag is missing (`docker image inspect`),
# so running this again changes nothing and a real image pulled under one of
# these tags is left alone. SEED_FORCE=1 recreates them all.
#
# Needs: bash, tar, docker, go (GO=/path/to/go to pick one), and a static
# busybox (installed with apt-get when missing).
set -euo pipefail

DOCKER=${DOCKER:-docker}
FORCE=${SEED_FORCE:-0}
LABEL='dev.berth.seed=true'

log() { printf 'seed-images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

have_image() { [ "$FORCE" != 1 ] && "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

size_of() {
	"$DOCKER" image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

created=()

work=$(mktemp -d "${TMPDIR:-/tmp}/berth-seed.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- busybox --------------------------------------------------------------

# A busybox binary that runs in an empty rootfs: it must be static.
# (ldd exits 1 for a static binary: test its output, not its status.)
is_static() {
	local out
	out=$(LC_ALL=C ldd "$1" 2>&1 || true)
	[[ $out == *"not a dynamic executable"* || $out == *"statically linked"* ]]
}

busybox_bin() {
	local bb
	for bb in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
		if [ -n "$bb" ] && [ -x "$bb" ] && is_static "$bb"; then
			echo "$bb"
			return
		fi
	done
	log "no static busybox: installing Debian's busybox-static"
	command -v apt-get >/dev/null || die "apt-get not found: install a static busybox"
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y busybox-static >&2 || {
		$sudo apt-get update >&2 && $sudo apt-get install -y busybox-static >&2
	} || die "cannot install busybox-static"
	for bb in /bin/busybox /usr/bin/busybox; do
		if [ -x "$bb" ] && is_static "$bb"; then
			echo "$bb"
			return
		fi
	done
	die "busybox-static installed, but no static busybox found"
}

# busybox_rootfs DIR: a minimal root filesystem — busybox, a symlink for
# each applet, /etc/passwd and /etc/group, /tmp and /root.
busybox_rootfs() {
	local root=$1 bb applet
	bb=$(busybox_bin)
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/tmp}
	chmod 1777 "$root/tmp" "$root/var/tmp"
	chmod 700 "$root/root"
	cp "$bb" "$root/bin/busybox"
	# --list-full prints each applet's path (bin/sh, usr/bin/wget, …);
	# `busybox --install` would install into the host's /bin instead.
	"$root/bin/busybox" --list-full | while read -r applet; do
		# (linuxrc, the one applet at the top level, is not wanted.)
		[[ $applet == */* ]] && [ ! -e "$root/$applet" ] && ln -s /bin/busybox "$root/$applet"
		true
	done
	[ -e "$root/bin/sh" ] || die "busybox has no sh applet"
	cat >"$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root/etc/group" <<-'EOF'
		root:x:0:
		nogroup:x:65534:
	EOF
}

# import_rootfs DIR TAG [--change ...]: docker import DIR as TAG.
import_rootfs() {
	local root=$1 tag=$2
	shift 2
	tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
		"$DOCKER" import --change "LABEL $LABEL" "$@" - "$tag" >/dev/null
	created+=("$tag ($(size_of "$tag"))")
}

if have_image busybox:latest; then
	log "busybox:latest present"
else
	log "creating busybox:latest"
	busybox_rootfs "$work/busybox"
	import_rootfs "$work/busybox" busybox:latest --change 'CMD ["sh"]'
fi

if have_image alpine:latest; then
	log "alpine:latest present"
else
	log "creating alpine:latest (a busybox stand-in)"
	[ -d "$work/busybox" ] || busybox_rootfs "$work/busybox"
	cp -a "$work/busybox" "$work/alpine"
	cat >"$work/alpine/etc/os-release" <<-'EOF'
		NAME="Alpine Linux (Berth seed stand-in: busybox, no apk)"
		ID=alpine
		VERSION_ID=0.0.0
		PRETTY_NAME="Berth seed stand-in for alpine (busybox)"
	EOF
	echo 0.0.0 >"$work/alpine/etc/alpine-release"
	import_rootfs "$work/alpine" alpine:latest --change 'CMD ["/bin/sh"]'
fi

# --- golang ---------------------------------------------------------------

GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || die "no Go toolchain (set GO=/path/to/go)"
goversion=$("$GO" env GOVERSION)  # go1.26.8
goroot=$("$GO" env GOROOT)
[ "$("$GO" env GOOS)" = linux ] || die "$GO is not a linux toolchain"
full=${goversion#go}
full=${full%% *}                     # drop any " X:…" experiment suffix
[[ $full =~ ^([0-9]+)\.([0-9]+)(\.[0-9]+)?$ ]] || die "cannot use Go version $goversion (not a release)"
minor="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

if have_image "golang:$full"; then
	log "golang:$full present"
else
	log "creating golang:$full from $goroot"
	root="$work/golang"
	busybox_rootfs "$root"
	mkdir -p "$root/usr/local/go" "$root/go/bin" "$root/go/src"
	chmod -R 1777 "$root/go"
	# The toolchain without what builds never read: the Go distribution's
	# own tests, API lists and docs.
	tar -C "$goroot" -c \
		--exclude=./test --exclude=./api --exclude=./doc \
		--exclude='testdata' --exclude='*_test.go' . |
		tar -C "$root/usr/local/go" -x
	import_rootfs "$root" "golang:$full" \
		--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change "ENV GOLANG_VERSION=$full" \
		--change 'ENV GOPATH=/go' \
		--change 'ENV GOTOOLCHAIN=local' \
		--change 'ENV CGO_ENABLED=0' \
		--change 'ENV GOCACHE=/tmp/.cache/go-build' \
		--change 'WORKDIR /go' \
		--change 'CMD ["sh"]'
fi

# golang:X.Y names the same image, as on Docker Hub.
if have_image "golang:$minor"; then
	log "golang:$minor present"
else
	"$DOCKER" tag "golang:$full" "golang:$minor"
	created+=("golang:$minor (tag of golang:$full)")
fi

if [ ${#created[@]} -eq 0 ]; then
	echo "seed-images: nothing to do: busybox:latest alpine:latest golang:$full golang:$minor are present"
else
	for c in "${created[@]}"; do
		echo "seed-images: created $c"
	done
fi
