#!/usr/bin/env bash
# Lints helpdesk_apizee with the OCA module template's tools, run directly (no pre-commit):
# ruff, ruff format, pylint-odoo (.pylintrc-mandatory), prettier and eslint.
# Prints `lint <tool>: ok` or `lint <tool>: FAILED` for each and exits with the number of
# failed tools. It only checks; to fix: `ruff check --fix .`, `ruff format .`,
# `prettier --write FILE...`.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cache=${HELPDESK_APIZEE_CACHE:-/var/cache/helpdesk_apizee}
export PATH=$PATH:$cache/venv/bin:$cache/node/node_modules/.bin

failed=0
run() {
    local tool=$1
    shift
    if "$@" 2>&1; then
        echo "lint $tool: ok"
    else
        echo "lint $tool: FAILED"
        failed=$((failed + 1))
    fi
}

# pylint-odoo takes the module's name from its folder, and this checkout may be named
# anything: lint it through a symlink named helpdesk_apizee.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo" "$tmp/helpdesk_apizee"
pylint_module() {
    local format=text
    [ -t 1 ] && format=colorized
    (cd "$tmp" && pylint --rcfile="$repo/.pylintrc-mandatory" --output-format=$format \
        helpdesk_apizee)
}

# Tracked and untracked-not-ignored files (.prettierignore skips i18n, readme...)
mapfile -t prettier_files < <(git ls-files -co --exclude-standard |
    grep -E '\.(xml|js|scss|css|yml|yaml|json|md)$' |
    while read -r f; do [ -f "$f" ] && echo "$f"; done)

run ruff ruff check --no-fix --output-format=concise .
run ruff-format ruff format --check .
run pylint pylint_module
run prettier prettier --check "${prettier_files[@]}"
run eslint eslint "static/**/*.js"

exit "$failed"
