#!/usr/bin/env bash
# Publishing proven on a real registry, as a plugin author without a clone would meet it:
#  1. a Verdaccio registry on 127.0.0.1 (installed here from the npm registry, outside the
#     workspace), proxying the npm registry for everything that is not ours;
#  2. the changesets release flow on a copy of the repository: `changeset version` (versions and
#     changelogs from the .changeset files), then `pnpm publish -r` of every public package,
#     which rewrites `workspace:` ranges;
#  3. in folders outside the repository: `npm create mergebench-plugin`, then install, test,
#     build, check and publish of the new plugin with pnpm; then hosts that install
#     @mergebench/core, two method plugins and the new plugin from the registry with npm and
#     with pnpm, list them, and merge on the toy pools.
# Steps 3's author and npm host commands are the guide's own (docs/adding-a-method.md, the blocks
# after `<!-- e2e: author -->` and `<!-- e2e: host -->`), run verbatim, so the guide cannot rot.
# Needs the repository built (pnpm build). Usage: bash test/registry-e2e.sh [work folder]
set -euo pipefail
# npm needs a home for its cache; turbo runs tasks with a reduced environment that may lack it.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${1:-$(mktemp -d "${TMPDIR:-/tmp}/mergebench-registry-e2e.XXXXXX")}"
VERDACCIO_VERSION=6.8.0 # 6.10 needs Node 22
UPLINK="${MERGEBENCH_E2E_UPLINK:-https://registry.npmjs.org/}"
mkdir -p "$WORK"
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'registry-e2e: %s\n' "$*" >&2; exit 1; }
GUIDE="$ROOT/docs/adding-a-method.md"
# The fenced sh block after the marker `<!-- e2e: $1 -->` in the guide.
guide_block() {
  awk -v marker="<!-- e2e: $1 -->" '
    $0 == marker { armed = 1; next }
    armed && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$GUIDE"
}
for block in author host; do [ -n "$(guide_block "$block")" ] || fail "$GUIDE has no e2e: $block block"; done

for pkg in "$ROOT"/packages/*/; do
  [ -f "$pkg/package.json" ] || continue
  if ! grep -q '"private": true' "$pkg/package.json" && [ ! -f "$pkg/dist/index.js" ]; then
    fail "$pkg is not built; run pnpm build first"
  fi
done

step "verdaccio $VERDACCIO_VERSION"
if [ ! -x "$WORK/tools/node_modules/.bin/verdaccio" ]; then
  npm install --prefix "$WORK/tools" --no-fund --no-audit --no-save --loglevel=error \
    --registry "$UPLINK" "verdaccio@$VERDACCIO_VERSION" >/dev/null
fi
PORT=$((20000 + RANDOM % 20000))
REGISTRY="http://127.0.0.1:$PORT/"
cat >"$WORK/verdaccio.yaml" <<YAML
storage: $WORK/storage
auth:
  htpasswd:
    file: $WORK/htpasswd
    max_users: 10
uplinks:
  npmjs:
    url: $UPLINK
    timeout: 60s
packages:
  '@mergebench/*':
    access: \$all
    publish: \$authenticated
  'create-mergebench-plugin':
    access: \$all
    publish: \$authenticated
  'dare-merging':
    access: \$all
    publish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
YAML
"$WORK/tools/node_modules/.bin/verdaccio" --config "$WORK/verdaccio.yaml" --listen "127.0.0.1:$PORT" \
  >"$WORK/verdaccio.log" 2>&1 &
VERDACCIO_PID=$!
trap 'kill "$VERDACCIO_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -sf "${REGISTRY}-/ping" >/dev/null && break
  sleep 0.5
done
curl -sf "${REGISTRY}-/ping" >/dev/null || { cat "$WORK/verdaccio.log" >&2; fail "verdaccio did not start on $REGISTRY"; }
TOKEN="$(curl -sf -X PUT -H 'content-type: application/json' \
  -d '{"name":"e2e","password":"e2e-password"}' "${REGISTRY}-/user/org.couchdb.user:e2e" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')"
[ -n "$TOKEN" ] || fail "could not create a registry user"
# Every npm and pnpm below reads this: the local registry, and the token to publish to it.
export NPM_CONFIG_USERCONFIG="$WORK/npmrc"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\nfund=false\naudit=false\nupdate-notifier=false\n' \
  "$REGISTRY" "$PORT" "$TOKEN" >"$NPM_CONFIG_USERCONFIG"
export npm_config_registry="$REGISTRY"

step "changeset version and pnpm publish -r, on a copy of the repository"
mkdir -p "$WORK/repo"
tar -C "$ROOT" --exclude=node_modules --exclude=.git --exclude=.turbo --exclude=runs --exclude=results \
  --exclude=.cache -cf - . | tar -C "$WORK/repo" -xf -
(cd "$WORK/repo" && node "$ROOT/node_modules/@changesets/cli/bin.js" version >/dev/null)
(cd "$WORK/repo" && pnpm publish -r --no-git-checks --registry "$REGISTRY" --report-summary >"$WORK/publish.log" 2>&1) ||
  { tail -30 "$WORK/publish.log" >&2; fail "pnpm publish -r failed"; }
CORE_VERSION="$(node -p "require('$WORK/repo/packages/core/package.json').version")"
echo "published @mergebench/core@$CORE_VERSION and $(node -p "require('$WORK/repo/pnpm-publish-summary.json').publishedPackages.length") packages"
grep -q "## $CORE_VERSION" "$WORK/repo/packages/core/CHANGELOG.md" || fail "core's CHANGELOG.md has no $CORE_VERSION section"
cd "$WORK"
ties="$(npm view @mergebench/method-ties peerDependencies --json)"
case "$ties" in *workspace:*) fail "published @mergebench/method-ties keeps a workspace: range: $ties" ;; esac
echo "@mergebench/method-ties peerDependencies: $(echo "$ties" | tr -d ' \n')"
[ "$(npm view @mergebench/core@"$CORE_VERSION" bin.mergebench)" = "./dist/cli/main.js" ] || fail "core's bin did not survive"

step "the guide's author commands, in a folder outside the repository"
mkdir -p "$WORK/author" && cd "$WORK/author"
guide_block author | sed 's/^/  $ /'
bash -euo pipefail -c "$(guide_block author)" >"$WORK/author.log" 2>&1 ||
  { tail -40 "$WORK/author.log" >&2; fail "the guide's author commands failed (log: $WORK/author.log)"; }
grep -q "\"@mergebench/core\": \"\\^$CORE_VERSION\"" dare-merging/package.json ||
  fail "the scaffolded plugin does not peer-depend on core ^$CORE_VERSION"
grep -q 'dare-merging: passes the conformance checks' "$WORK/author.log" || fail "check-plugin did not pass"

PLUGINS=(@mergebench/core @mergebench/method-ties @mergebench/method-task-arithmetic dare-merging)
check_host() {
  local dir="$1"
  for p in "${PLUGINS[@]}"; do
    grep -q 'workspace:' "$dir/node_modules/$p/package.json" && fail "$p installed with a workspace: range"
  done
  local list
  list="$(cd "$dir" && npx --no-install mergebench list)"
  for name in "ties  (@mergebench/method-ties)" "task-arithmetic  (@mergebench/method-task-arithmetic)" "dare  (dare-merging)"; do
    grep -qF "$name" <<<"$list" || fail "mergebench list in $dir does not show $name"
  done
  (cd "$dir" && npx --no-install mergebench run method=dare method.scaling_factor=0.5 modelpool=toy taskpool=toy backend=cpu)
  (cd "$dir" && npx --no-install mergebench run method=ties modelpool=toy taskpool=toy backend=cpu) | tail -1
}

step "the guide's host commands (npm)"
mkdir -p "$WORK/host-npm" && cd "$WORK/host-npm"
guide_block host | sed 's/^/  $ /'
bash -euo pipefail -c "$(guide_block host)" >"$WORK/host.log" 2>&1 ||
  { tail -40 "$WORK/host.log" >&2; fail "the guide's host commands failed (log: $WORK/host.log)"; }
check_host "$WORK/host-npm"

step "a host installing from the registry with pnpm"
mkdir -p "$WORK/host-pnpm" && cd "$WORK/host-pnpm"
echo '{"name":"host-pnpm","private":true,"type":"module"}' >package.json
cp "$WORK/author/dare-merging/pnpm-workspace.yaml" .
pnpm add --reporter=silent "${PLUGINS[@]}"
check_host "$WORK/host-pnpm"

step "registry e2e passed ($REGISTRY, work folder $WORK)"
