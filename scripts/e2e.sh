#!/usr/bin/env bash
# End-to-end test of the dashboard (runner serve) in headless Chromium.
#
# Installs Debian's chromium if it is missing (apt-get, as root or through
# sudo), then runs TestServeE2E, TestServeE2EDetail, TestServeE2ESearch and
# TestServeE2ELRFind
# with RUNNER_E2E=1, under which a missing browser fails the tests instead
# of skipping them. They train small real sweeps (MNIST runs; runs on a
# function and a run logging its layers; a random search), serve them, and drive the page over the DevTools
# protocol (Chromium's --remote-debugging-pipe): no npm, no WebSocket library.
#
#   scripts/e2e.sh                                   # the test
#   RUNNER_E2E_SCREENSHOT=docs/dashboard.png scripts/e2e.sh   # and refresh the README's screenshots:
#                                                    # docs/dashboard.png, dashboard-paths.png, dashboard-layers.png,
#                                                    # dashboard-search.png, dashboard-lrfind.png
#   RUNNER_E2E_SHOTS=/tmp/shots scripts/e2e.sh       # and a screenshot of each step
#
# Extra arguments go to go test. About 30 s to install chromium, 30 s to
# build and run the test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${RUNNER_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	echo "e2e: installing chromium (Debian's package)"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
echo "e2e: $(${RUNNER_CHROMIUM:-chromium} --version 2>/dev/null | tail -1)"

# go test runs in the package's folder: make the output paths absolute.
for v in RUNNER_E2E_SCREENSHOT RUNNER_E2E_SHOTS; do
	if [ -n "${!v:-}" ] && [ "${!v:0:1}" != / ]; then export "$v=$PWD/${!v}"; fi
done

RUNNER_E2E=1 go test ./cmd/runner -run '^TestServeE2E(Detail|Search|LRFind)?$' -count=1 -v "$@"
