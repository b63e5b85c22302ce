# Shared by scripts/bootstrap, scripts/test and scripts/demo (sourced, not run).
#
# The legs need Python >= 3.14.2 (every Home Assistant from 2026.3 on requires
# it).  A Python that is already here is used ($PYTHON, PATH, pyenv); otherwise,
# on Debian as root, the scripts run inside a Debian sid root (scripts/sid-root,
# scripts/in-sid), which has python3.14 3.14.10.

python_ok() {  # python_ok PYTHON: whether PYTHON runs and is >= 3.14.2
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' >/dev/null 2>&1
}

find_python() {  # print a Python >= 3.14.2 found on this machine, or fail
  local candidates=() p
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.14 python3)
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.1[4-9]*/bin/python3; do
      [ -x "$p" ] && candidates+=("$p")
    done
  fi
  for p in "${candidates[@]}"; do
    if python_ok "$p"; then command -v "$p"; return 0; fi
  done
  return 1
}

pandora_env() {  # print where the legs run: "host" or "sid"
  if [ -n "${PANDORA_BOX_ENV:-}" ]; then echo "$PANDORA_BOX_ENV"
  elif find_python >/dev/null; then echo host
  elif [ -r /etc/debian_version ]; then echo sid
  else
    echo "Python >= 3.14.2 not found: set PYTHON=/path/to/python3.14 (or run on Debian as root)" >&2
    return 1
  fi
}

run_in_env() {  # run_in_env SCRIPT ARG...: run a script of ours where the legs run
  local where; where=$(pandora_env)
  if [ "$where" = sid ] && [ -z "${PANDORA_BOX_ENV:-}" ]; then
    exec scripts/in-sid env PANDORA_BOX_ENV=sid "$@"
  fi
  PANDORA_BOX_ENV=$where exec "$@"
}
