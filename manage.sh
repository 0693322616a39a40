#!/usr/bin/env bash
# One entry point for a fresh machine. Every step is idempotent: a second run takes seconds.
# Both environments are installed with their bytecode compiled: Rasa then starts without
# compiling TensorFlow's sources (12 s of its start on 2 cores), even where Python may not
# write bytecode itself (PYTHONDONTWRITEBYTECODE, a read-only install).
#   ./manage.sh start   set up the runtime (no dev group), start the stack, open a conversation
#   ./manage.sh test    set up with the dev group, then ruff, mypy and pytest over every layer
#   ./manage.sh setup   only set up the runtime (Debian packages, uv, both environments, the model)
set -euo pipefail
cd "$(dirname "$0")"
export RASA_TELEMETRY_ENABLED=false
export PATH="$HOME/.local/bin:$PATH"
APT_PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 postgresql chromium prometheus haproxy redis-server)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_debian_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages. Install them with:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    return 1
  fi
}

ensure_uv() {
  command -v uv >/dev/null 2>&1 && return 0
  say "installing uv"
  if ! python3 -m pip --version >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
  fi
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --user uv
}

find_python310() {
  uv python find 3.10 2>/dev/null && return 0
  if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.10 >/dev/null 2>&1; then
    echo "$(pyenv prefix 3.10 | head -n1)/bin/python"; return 0
  fi
  uv python install 3.10 >&2 && uv python find 3.10
}

ensure_rasa_env() {
  local want have
  want="$(sha256sum nlu/requirements.lock | cut -d' ' -f1) bytecode"
  have=$(cat .venv-rasa/.lock-sha256 2>/dev/null || true)
  [ "$want" = "$have" ] && [ -x .venv-rasa/bin/rasa ] && return 0
  say "creating the dialogue-engine environment (Python 3.10, Rasa 3.6)"
  uv venv --quiet --allow-existing --python "$(find_python310)" .venv-rasa
  uv pip sync --quiet --compile-bytecode --python .venv-rasa/bin/python nlu/requirements.lock
  echo "$want" > .venv-rasa/.lock-sha256
}

# $1: "runtime" (the product only: no pytest, no Korean test model) or "dev" (the dev group too)
setup() {
  local groups=(--no-dev)
  [ "${1:-runtime}" = dev ] && groups=(--group dev)
  ensure_debian_packages
  ensure_uv
  say "main environment (uv sync ${groups[*]})"
  uv sync --frozen --quiet --compile-bytecode "${groups[@]}"
  ensure_rasa_env
  .venv/bin/assistant train
}

case "${1:-}" in
  setup) setup runtime ;;
  start) setup runtime; exec .venv/bin/assistant up --chat ;;
  test)
    setup dev
    say "ruff"; .venv/bin/ruff check .
    say "mypy"; .venv/bin/mypy
    say "pytest"; exec .venv/bin/pytest "${@:2}"
    ;;
  *) echo "usage: ./manage.sh start|test|setup"; exit 2 ;;
esac
