#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh CLAWLOCK: what `make demo` runs inside the test VM. An OpenClaw
# config with two agents (policies/examples/two-agents.json5) is applied by
# the clawlock daemon: each agent gets its own scope cgroup with limits, the
# kernel keeps each to its sandbox, a config edit is applied live, and the
# denials stream into the daemon's log.
set -u
clawlock=${1:-build/clawlock}
# Everything the demo creates lives on the VM's tmpfs, never on the shared host root.
export HOME=/tmp/demo-home
config=$HOME/.openclaw/openclaw.json
log=/tmp/demo-events.jsonl

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
agent() { # agent ID CMD: run CMD in agent ID's sandbox, as OpenClaw would
	id=$1
	shift
	printf '$ clawlock run --openclaw %s --agent %s -- sh -c "%s"\n' "$config" "$id" "$*"
	"$clawlock" -q run --openclaw "$config" --agent "$id" -- sh -c "$*"
	echo "exit status: $?"
}
wait_for() { # wait_for FILE TEXT: until FILE mentions TEXT (20 s at most)
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
}

step "an OpenClaw config: two agents, every session sandboxed, one scope each"
mkdir -p "$HOME/.openclaw/workspace-research" "$HOME/.openclaw/workspace-coder" "$HOME/.ssh"
cp policies/examples/two-agents.json5 "$config"
echo "# findings" >"$HOME/.openclaw/workspace-research/notes.md"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (demo key)" >"$HOME/.ssh/id_ed25519"
chmod 600 "$HOME/.ssh/id_ed25519"
sed -n '/agents:/,$p' "$config"

step "load clawlock; its daemon applies the config and streams every denial"
run "$clawlock" load || exit 1
printf '$ clawlock daemon --openclaw %s --log %s &\n' "$config" "$log"
"$clawlock" daemon --openclaw "$config" --log "$log" 2>/tmp/demo-daemon.err &
daemon=$!
wait_for /tmp/demo-daemon.err "running"
run "$clawlock" status

step "each scope's cgroup limits come from the agent's docker settings"
for scope in /sys/fs/cgroup/clawlock/*/; do
	printf '%s  pids.max=%s memory.max=%s cpu.max="%s"\n' "$scope" "$(cat "$scope/pids.max")" \
		"$(cat "$scope/memory.max")" "$(cat "$scope/cpu.max")"
done

step "research reads its workspace, may not change it, may not read the SSH key"
agent research "cat ~/.openclaw/workspace-research/notes.md;
	echo more >> ~/.openclaw/workspace-research/notes.md; cat ~/.ssh/id_ed25519"

step "coder writes in its own workspace, and cannot reach research's"
agent coder "echo 'int main(void) { return 0; }' > ~/.openclaw/workspace-coder/main.c &&
	ls ~/.openclaw/workspace-coder; cat ~/.openclaw/workspace-research/notes.md"

step "a live update: research may now write; the daemon applies it in one switch"
sed -i 's|{ id: "research", workspace: "~/.openclaw/workspace-research" }|{ id: "research", workspace: "~/.openclaw/workspace-research", sandbox: { workspaceAccess: "rw" } }|' "$config"
grep -n 'id: "research"' "$config"
i=0
while [ "$(grep -c 'applied generation' /tmp/demo-daemon.err)" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
tail -n 2 /tmp/demo-daemon.err
agent research "echo more >> ~/.openclaw/workspace-research/notes.md &&
	cat ~/.openclaw/workspace-research/notes.md; cat ~/.ssh/id_ed25519"

step "the denial stream: one JSON line per denial, naming the rule's config key"
sleep 1.5
cat "$log"

step "stop the daemon: the rules stay in the kernel"
run kill -TERM "$daemon"
wait "$daemon"
agent research "cat ~/.ssh/id_ed25519"
run "$clawlock" unload
