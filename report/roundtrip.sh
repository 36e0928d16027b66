#!/usr/bin/env bash
# Report round trip: draws a map (PNG at scale 2) and a timeline chart (SVG) with `dcatlas render`,
# puts them in report/report.html (an A4 page), prints the page to PDF with headless Chromium and
# turns the PDF into PNG pages with pdftoppm (poppler-utils), to look at.
#
#   report/roundtrip.sh [OUTDIR]     # default: a new temporary directory
#
# Needs chromium and pdftoppm on PATH. DCATLAS_BIN may name a dcatlas binary to use instead of
# building one. Prints the paths of the PDF and the page images.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d -t dcatlas-report-XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in chromium pdftoppm; do
  command -v "$tool" >/dev/null || { echo "roundtrip: $tool is not on PATH" >&2; exit 2; }
done

bin=${DCATLAS_BIN:-}
if [ -z "$bin" ]; then
  bin="$out/dcatlas"
  go build -o "$bin" .
fi

"$bin" render map --at 2018-09-01 --scale 2 --width 1000 --height 560 \
  --title "Alibaba Cloud regions, September 2018" --out "$out/map.png"
"$bin" render timeline --until 2025-09-24 --width 1000 --height 340 --out "$out/timeline.svg"
cp report/report.html "$out/report.html"

# A fresh profile, no network, no first-run work: the page loads only its two images.
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --user-data-dir="$out/chromium-profile" --no-pdf-header-footer \
  --print-to-pdf="$out/report.pdf" "file://$out/report.html" 2>"$out/chromium.log" ||
  { cat "$out/chromium.log" >&2; exit 1; }
rm -rf "$out/chromium-profile"
test -s "$out/report.pdf" || { echo "roundtrip: chromium wrote no PDF" >&2; cat "$out/chromium.log" >&2; exit 1; }

pdftoppm -png -r 110 "$out/report.pdf" "$out/page"
echo "$out/report.pdf"
ls "$out"/page*.png
