#!/usr/bin/env bash
# Creates or updates the two environments: .venv (the app, Python 3.11+) and .venv-rasa
# (Rasa 3.6, Python 3.10). Re-running installs nothing when the requirements are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '%s\n' "$*" >&2; }

python_ok() {  # $1: interpreter, $2: wanted "3.10" or "3.11+"
  local v
  v=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  case "$2" in
    3.10) [ "$v" = "3.10" ] ;;
    3.11+) "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ;;
  esac
}

find_python() {  # $1: "3.10" or "3.11+"; $2: env var name; prints the interpreter path
  local want=$1 var=$2 candidate prefix
  candidate=${!var:-}
  if [ -n "$candidate" ]; then
    python_ok "$candidate" "$want" && { echo "$candidate"; return 0; }
    say "$var=$candidate is not Python $want."; return 1
  fi
  if [ "$want" = "3.10" ]; then set -- python3.10; else set -- python3 python3.13 python3.12 python3.11; fi
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")" "$want"; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for prefix in $(pyenv versions --bare 2>/dev/null | sort -rV); do
      candidate="$(pyenv root)/versions/$prefix/bin/python"
      [ -x "$candidate" ] && python_ok "$candidate" "$want" && { echo "$candidate"; return 0; }
    done
  fi
  return 1
}

stamp_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

ensure_env() {  # $1 venv dir, $2 python, $3 stamp, then the pip install arguments
  local venv=$1 python=$2 stamp=$3; shift 3
  if [ -f "$venv/.installed-$stamp" ] && [ -x "$venv/bin/python" ]; then
    return 0
  fi
  say "Setting up $venv (this takes a few minutes the first time)..."
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet "$@"
  rm -f "$venv"/.installed-*
  touch "$venv/.installed-$stamp"
}

APP_PYTHON=$(find_python 3.11+ INFOLINE_PYTHON) || {
  say "Python 3.11 or newer is needed for the app. Install it (e.g. 'pyenv install 3.11') or set INFOLINE_PYTHON=/path/to/python3.11."
  exit 1
}
RASA_PYTHON=$(find_python 3.10 INFOLINE_PYTHON310) || {
  say "Python 3.10 is needed for Rasa 3.6 and was not found (tried \$INFOLINE_PYTHON310, python3.10 on PATH, pyenv)."
  say "Get it with 'pyenv install 3.10.13' (or your system's python3.10 package), or set INFOLINE_PYTHON310=/path/to/python3.10."
  exit 1
}

ensure_env .venv "$APP_PYTHON" "$(stamp_of pyproject.toml)" -e '.[test]'
ensure_env .venv-rasa "$RASA_PYTHON" "$(stamp_of requirements-rasa.txt)" -r requirements-rasa.txt

# Browser tests (`scripts/setup.sh --with-browser`, used by `make test`): Debian's Chromium and
# the axe-core accessibility checker from npm. Playwright drives /usr/bin/chromium; it downloads nothing.
if [ "${1:-}" = "--with-browser" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    say "Installing Debian's Chromium for the browser tests..."
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    say "Installing axe-core for the accessibility checks..."
    npm install --silent --no-audit --no-fund --prefix tests/browser >/dev/null
  fi
fi
