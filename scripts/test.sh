#!/usr/bin/env bash
# The whole suite on a fresh machine: system packages, npm packages, typecheck, lint, the
# Electron build, unit + integration tests (real PostgreSQL, SQLite, HTTP servers, OS keychain).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-test.sh
# The Electron binary is not needed for tests (and cannot be downloaded everywhere).
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build
dbus-run-session -- bash scripts/with-keyring.sh npx vitest run
npx playwright test
