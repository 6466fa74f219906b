#!/usr/bin/env bash
# Set up letterworld on a fresh Debian machine with Python 3.11:
# system fonts and shaping libraries, a virtual environment in .venv, the package.
#   bash scripts/setup.sh          # what the demo needs (with the spaCy NER pipelines for names)
#   bash scripts/setup.sh --test   # plus the test tools and the sentence-transformers backend
set -euo pipefail
cd "$(dirname "$0")/.."

# libpango*/libharfbuzz-subset0: WeasyPrint (PDF export) lays out text with Pango and subsets fonts
PACKAGES="fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji libfribidi0 libraqm0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
# chromium: the studio's end-to-end tests drive Debian's browser with Playwright (nothing downloaded)
[ "${1:-}" = "--test" ] && PACKAGES="$PACKAGES chromium"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
  # torch is pinned to the CPU build (an unpinned torch pulls gigabytes of CUDA packages)
  .venv/bin/python -m pip install -q -e ".[video,ner,test,bench,sentence-transformers]"
else
  .venv/bin/python -m pip install -q -e ".[video,ner]"
fi
.venv/bin/python -c "import letterworld" || { echo "setup failed: letterworld does not import" >&2; exit 1; }
