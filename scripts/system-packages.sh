#!/usr/bin/env bash
# The Debian packages `make run` and `make test` need beyond Python: installed here when we can
# (root with apt-get), otherwise we stop at once with the one command to run, before any test.
#   scripts/system-packages.sh run    # OCR (Tesseract, French), PDFs (Pango, DejaVu fonts)
#   scripts/system-packages.sh test   # the same, plus Chromium for the browser tests and poppler
# SKIP_SYSTEM_PACKAGES=1 skips the check (a machine set up some other way).
set -euo pipefail
[ "${SKIP_SYSTEM_PACKAGES:-0}" = "1" ] && exit 0
purpose="${1:-test}"

missing=()
need() { missing+=("$1"); }
libs="$(ldconfig -p 2>/dev/null || true)"  # read once: grep -q on a pipe would cut it short (SIGPIPE)
has_lib() { grep -q "$1" <<<"$libs"; }

python3 -c "import ensurepip, venv" 2>/dev/null || need python3-venv
command -v tesseract >/dev/null 2>&1 || need tesseract-ocr
langs="$(tesseract --list-langs 2>/dev/null || true)"
grep -qx fra <<<"$langs" || need tesseract-ocr-fra
has_lib 'libpango-1.0.so' || need libpango-1.0-0
has_lib 'libpangoft2-1.0.so' || need libpangoft2-1.0-0
has_lib 'libharfbuzz.so' || need libharfbuzz0b
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need fonts-dejavu-core
if [ "$purpose" = "test" ]; then
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need chromium
  command -v pdftoppm >/dev/null 2>&1 || need poppler-utils
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation des paquets système manquants : ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  exit 0
fi

{
  echo "Il manque des paquets système pour « make $purpose » : ${missing[*]}."
  echo "Installez-les avec :"
  echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}"
  echo "(ou relancez en root ; SKIP_SYSTEM_PACKAGES=1 passe cette vérification)."
} >&2
exit 1
