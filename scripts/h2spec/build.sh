#!/bin/bash
# Prints the path of an h2spec binary, building it when needed. ../shared/tools/h2spec/build.sh
# builds h2spec with Debian's Go and Go libraries, but its source copy lacks upstream's cmd/h2spec
# (the command line): while it does, the same sources are built here with main.go beside this
# script (cached in ~/.cache/h2spec-tiercel); once it has it, that build.sh is used as it is.
# Needs the Debian packages build.sh lists: it installs them with apt when run as root, .ci/run
# installs them (with sudo) otherwise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../.." && pwd)/shared/tools/h2spec
[[ -x $shared/build.sh ]] || { echo "h2spec: $shared/build.sh is missing" >&2; exit 3; }
[[ -d $shared/src/cmd/h2spec ]] && exec "$shared/build.sh"

out=${HOME:-/root}/.cache/h2spec-tiercel
bin=$out/h2spec
[[ -x $bin && $bin -nt $here/main.go ]] && { echo "$bin"; exit 0; }
if ! command -v go >/dev/null || [[ ! -d /usr/share/gocode/src/golang.org/x/net/http2 ]]; then
  # Installs the packages (as root), then fails at `go build` for want of cmd/h2spec: expected.
  "$shared/build.sh" >/dev/null 2>&1 || true
  command -v go >/dev/null || { echo "h2spec: no Go toolchain (install the Debian packages $shared/build.sh lists)" >&2; exit 3; }
fi
gopath=$(mktemp -d)
# The sources are read-only: make the copy writable so the trap can remove it as any user.
trap 'chmod -R u+w "$gopath"; rm -rf "$gopath"' EXIT
pkg=$gopath/src/github.com/summerwind/h2spec
mkdir -p "$pkg/cmd/h2spec" "$out"
cp -r "$shared/src/." "$pkg"
cp "$here/main.go" "$pkg/cmd/h2spec/main.go"
(cd "$pkg" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOPROXY=off GOFLAGS= \
  GOCACHE="$gopath/cache" go build -o "$bin" ./cmd/h2spec) >&2
echo "$bin"
