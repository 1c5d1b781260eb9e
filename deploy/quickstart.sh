#!/usr/bin/env bash
# Corkboard in one command: checks (and as root, installs) what it needs, builds the jars when they are missing or
# stale, brings up the local cluster (or reuses the one that is up), runs a demo task in the sandbox and shows its
# result and logs. Safe to run again. Honours CORKBOARD_LOCAL_DIR (the cluster directory) and ETCD_BIN.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CORKBOARD_LOCAL_DIR:-$root/deploy/local/.cluster}"
say() { printf '==> %s\n' "$*"; }

# 1. Prerequisites: a JDK 17+, etcd, and bubblewrap for the sandbox (root only: without root, tasks run as plain
#    processes).
java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1 |
    awk '{ print ($1 == 1 ? $2 : $1) }'
}
missing=()
if ! command -v javac >/dev/null || [[ "$(java_major)" -lt 17 ]]; then missing+=(default-jdk-headless); fi
if [[ -z "${ETCD_BIN:-}" ]] && ! command -v etcd >/dev/null; then missing+=(etcd-server etcd-client); fi
if [[ "$(id -u)" -eq 0 ]] && ! command -v bwrap >/dev/null; then missing+=(bubblewrap); fi
if (( ${#missing[@]} > 0 )); then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "quickstart: missing ${missing[*]}; install them first:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    echo "(a JDK 17 or later, etcd on PATH or in ETCD_BIN; bubblewrap is needed when running as root)" >&2
    exit 1
  fi
fi
if [[ "$(java_major)" -lt 17 ]]; then
  echo "quickstart: java is $(java_major); Corkboard needs 17 or later (set JAVA_HOME or update-alternatives)" >&2
  exit 1
fi

# 2. The jars, built when one is missing or older than any source or pom it is made from.
jars=(bbs-server/target/corkboard-bbs-server converger/target/corkboard-converger
      executor-agent/target/corkboard-executor-agent stager-client/target/corkboard-stager-client
      deploy/local/target/corkboard-local)
oldest=""
for jar in "${jars[@]}"; do
  found="$(ls "$root/$jar"-*-all.jar 2>/dev/null | head -n 1 || true)"
  if [[ -z "$found" ]]; then oldest=""; break; fi
  if [[ -z "$oldest" || "$found" -ot "$oldest" ]]; then oldest="$found"; fi
done
if [[ -z "$oldest" ]] || [[ -n "$(find "$root/pom.xml" "$root/proto" "$root/bbs-server" "$root/converger" \
    "$root/executor-agent" "$root/stager-client" "$root/deploy/pom.xml" "$root/deploy/local" \
    \( -name target -prune \) -o \( -newer "$oldest" \( -name pom.xml -o -path '*/src/main/*' \) -print \) \
    2>/dev/null | head -n 1)" ]]; then
  say "building the jars (a few minutes the first time)"
  # only the modules whose jars run here, and what they are made of: the suites and benchmarks are not needed
  (cd "$root" && ./mvnw -B -q -pl bbs-server,converger,executor-agent,stager-client,deploy/local -am package \
    -DskipTests)
fi

# 3. The cluster: 1 etcd, 2 BBS replicas, 2 executors, 2 convergers, or the one already up in $dir.
say "bringing up the local cluster in $dir"
if ! up="$("$root/deploy/local/cluster" up --dir "$dir" 2>&1)"; then
  printf '%s\n' "$up" >&2
  exit 1
fi
printf '%s\n' "$up" | grep -E '^(Up in|A cluster is already|Executors run tasks)' || true
bbs="$(head -n 1 "$dir/bbs-endpoints")"
cork() { "$root/deploy/bin/cork" --bbs "$bbs" "$@"; }

# 4. A demo task: runs in the sandbox, writes a result file, logs two lines.
guid="quickstart-$(date +%Y%m%d-%H%M%S)-$$"
say "desiring task $guid"
cork desire --domain quickstart --guid "$guid" --result-file result -- \
  sh -c 'echo hello from Corkboard; uname -a; echo 42 > result' >/dev/null
outcome=0
cork wait "$guid" --timeout 2m >/dev/null || outcome=$?
say "the task"
cork task "$guid"
say "its log"
cork logs "$guid"
if (( outcome != 0 )); then
  echo "quickstart: the task did not succeed (cork wait exit status $outcome); see the lines above" >&2
  exit 1
fi

cat <<NEXT

Next, try:
  deploy/bin/cork tasks                 every task (cork finds the local cluster by itself)
  deploy/bin/cork executors             the executors and what they hold
  deploy/local/cluster status           every process, its ports and health
  deploy/local/cluster kill bbs-1       crash a BBS replica; cork keeps working through bbs-2
  deploy/local/cluster start bbs-1      and bring it back
  deploy/local/cluster down             stop everything (--purge also removes $dir)
NEXT
