#!/usr/bin/env bash
# The Rx faces' tests against the newest RxJS 7 release (rxjs is a peer dependency: users bring
# their own copy, often newer than our lockfile's). Installs rxjs@7 without saving it, runs the
# tests of the operators, the connection and peer faces, GuardedObservable and rx-mconn/testing,
# then puts the lockfile's version back.
set -euo pipefail
cd "$(dirname "$0")/.."
version() { node -p 'require("./node_modules/rxjs/package.json").version'; }
locked="$(version)"
trap 'npm install --no-save --no-audit --no-fund "rxjs@$locked" >/dev/null' EXIT
npm install --no-save --no-audit --no-fund rxjs@7 >/dev/null
echo "rxjs $(version) (lockfile: $locked)"
npx mocha --no-config -n import=tsx --require test/setup.ts --timeout 60000 --reporter ./test/reporter.cjs \
  'test/unit/mconn/**/*.test.ts' 'test/unit/p2p/**/*.test.ts' 'test/unit/testing/**/*.test.ts' \
  test/integration/send-sink.test.ts test/integration/switch-guards.test.ts
