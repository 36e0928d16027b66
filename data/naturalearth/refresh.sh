#!/bin/sh
# refresh.sh re-fetches the Natural Earth country topologies carried by the npm
# package world-atlas and copies them next to this script.
#
# Usage: data/naturalearth/refresh.sh [version]   (default 2.0.2)
#
# Needs npm and tar. After a version change, update README.md, run
# go test ./geo/basemap/... ./data/... and re-pin the feature counts and golden
# PNGs (go test ./geo/basemap -update) if they moved.
set -eu

version="${1:-2.0.2}"
dest="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "world-atlas@$version" >/dev/null
tar -xzf "world-atlas-$version.tgz"
for f in countries-110m.json countries-50m.json countries-10m.json LICENSE; do
	cp "package/$f" "$dest/$f"
done
echo "world-atlas@$version copied to $dest"
sha256sum "$dest"/countries-*.json
