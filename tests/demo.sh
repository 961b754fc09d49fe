#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh CLAWLOCK: what `make demo` runs inside the test VM. An agent
# confined by policies/demo.json5 works in its workspace, tries to read an
# SSH key, is refused by the kernel, and the denial event is printed.
set -u
clawlock=${1:-build/clawlock}
policy=policies/demo.json5
# Everything the demo creates lives on the VM's tmpfs, never on the shared host root.
export HOME=/tmp/demo-home

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "a secret the agent must not read, and a workspace it may use"
mkdir -p "$HOME/.ssh" /tmp/demo-workspace
echo "-----BEGIN OPENSSH PRIVATE KEY----- (demo key)" >"$HOME/.ssh/id_ed25519"
chmod 600 "$HOME/.ssh/id_ed25519"
run ls -l "$HOME/.ssh/id_ed25519"

step "load clawlock's eBPF-LSM programs"
run "$clawlock" load || exit 1
run "$clawlock" check --policy "$policy" --agent demo | sed -n '1p;$p'

step "the agent works in its workspace"
run "$clawlock" run --policy "$policy" --agent demo -- \
	sh -c 'echo "notes" > /tmp/demo-workspace/notes.txt && cat /tmp/demo-workspace/notes.txt'

step "the agent tries to steal the SSH key (as root!)"
run "$clawlock" run --policy "$policy" --agent demo -- cat "$HOME/.ssh/id_ed25519"
echo "exit status: $?"

step "and to read outside its rules"
run "$clawlock" run --policy "$policy" --agent demo -- ls /root
echo "exit status: $?"

step "the denials, as the kernel reported them"
run "$clawlock" events
step "the same, as JSON lines for the log pipeline"
run "$clawlock" run --policy "$policy" --agent demo -- cat "$HOME/.ssh/id_ed25519" 2>/dev/null
"$clawlock" events --json

step "unload"
run "$clawlock" unload
