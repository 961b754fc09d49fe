// SPDX-License-Identifier: GPL-2.0
/*
 * clawlock as OpenClaw's sandbox backend (Documentation/openclaw.md, "Using
 * clawlock as OpenClaw's sandbox backend").
 *
 * No policy lives here. Every command and every file operation of a
 * sandboxed session runs as
 *
 *   clawlock sandbox exec --scope-key SCOPE --session SESSION --workdir DIR -- /bin/sh -c ...
 *
 * and clawlock refuses the key, or runs the command confined in the scope's
 * cgroup, or fails; it never runs anything unconfined. The file tools (read
 * included) go through OpenClaw's remote-shell file bridge, so no file
 * content is read or written by the Gateway process itself.
 */
import { spawn } from "node:child_process";
import { definePluginEntry } from "openclaw/plugin-sdk/plugin-entry";
import {
	createRemoteShellSandboxFsBridge,
	registerSandboxBackend,
} from "openclaw/plugin-sdk/sandbox";

const BACKEND_ID = "clawlock";
/* clawlock hands CLAWLOCK_ENV_NAME=VALUE to the command as NAME=VALUE, and nothing else. */
const ENV_PREFIX = "CLAWLOCK_ENV_";
const FS_PATH = "/usr/local/bin:/usr/bin:/bin";

function binaryOf(pluginConfig) {
	return (pluginConfig && pluginConfig.binary) || "clawlock";
}

/*
 * The config clawlock reads, when it cannot find it as OpenClaw does:
 * `openclaw agent exec --config FILE` removes OPENCLAW_CONFIG_PATH and
 * points OPENCLAW_STATE_DIR at a temporary folder. Options before the key.
 */
function configArgs(pluginConfig) {
	return pluginConfig && pluginConfig.config ? ["--openclaw", pluginConfig.config] : [];
}

/*
 * clawlock itself reads openclaw.json as OpenClaw does (its location, ~ and
 * ${VAR}), so it gets the Gateway's environment. The command gets exactly
 * @commandEnv: carried as CLAWLOCK_ENV_* (values stay out of the process
 * list), and clawlock clears everything else before it executes it.
 */
function clawlockEnv(commandEnv) {
	const env = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (!name.startsWith(ENV_PREFIX)) env[name] = value;
	}
	for (const [name, value] of Object.entries(commandEnv ?? {})) {
		if (value !== undefined && value !== null) env[ENV_PREFIX + name] = String(value);
	}
	return env;
}

function execArgv(bin, params, workdir, argv) {
	const args = [bin.path, "-q", "sandbox", "exec", ...bin.config, "--scope-key", params.scopeKey];
	if (params.sessionKey) args.push("--session", params.sessionKey);
	return [...args, "--workdir", workdir, "--", ...argv];
}

/* Run clawlock with @args; resolves { code, stdout, stderr } (Buffers). */
function runClawlock(argv, { env, stdin, signal, cwd } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(argv[0], argv.slice(1), {
			env: env ?? process.env,
			cwd,
			signal,
			stdio: ["pipe", "pipe", "pipe"],
		});
		const out = [];
		const err = [];
		child.stdout.on("data", (chunk) => out.push(chunk));
		child.stderr.on("data", (chunk) => err.push(chunk));
		child.on("error", (error) =>
			reject(new Error(`clawlock backend: cannot run ${argv[0]}: ${error.message}`)),
		);
		child.on("close", (code, sig) =>
			resolve({
				code: code ?? (sig ? 128 : 1),
				stdout: Buffer.concat(out),
				stderr: Buffer.concat(err),
			}),
		);
		child.stdin.on("error", () => {});
		child.stdin.end(stdin ?? undefined);
	});
}

function failure(what, result) {
	const detail = result.stderr.toString("utf8").trim() || `exit ${result.code}`;
	return new Error(`clawlock backend: ${what} failed: ${detail}`);
}

function createHandle(params, bin) {
	const workspaceDir = params.workspaceDir;
	const runScript = async ({ script, args, stdin, allowFailure, signal }) => {
		const argv = execArgv(bin, params, workspaceDir, [
			"/bin/sh",
			"-c",
			script,
			"openclaw-sandbox-fs",
			...(args ?? []),
		]);
		const result = await runClawlock(argv, {
			env: clawlockEnv({ PATH: FS_PATH, HOME: workspaceDir }),
			stdin,
			signal,
			cwd: workspaceDir,
		});
		if (result.code !== 0 && !allowFailure) throw failure("sandbox command", result);
		return result;
	};
	const handle = {
		id: BACKEND_ID,
		runtimeId: params.scopeKey,
		runtimeLabel: params.scopeKey,
		workdir: workspaceDir,
		env: params.cfg?.docker?.env,
		configLabel: bin.path,
		configLabelKind: "Binary",
		remoteWorkspaceDir: workspaceDir,
		remoteAgentWorkspaceDir: params.agentWorkspaceDir ?? workspaceDir,
		buildExecSpec: async ({ command, workdir, env, usePty }) => ({
			argv: execArgv(bin, params, workdir ?? workspaceDir, ["/bin/sh", "-c", command]),
			env: clawlockEnv(env),
			cwd: workspaceDir,
			stdinMode: usePty ? "pipe-open" : "pipe-closed",
		}),
		finalizeExec: async () => {},
		runShellCommand: runScript,
		runRemoteShellScript: runScript,
		createFsBridge: ({ sandbox }) => createRemoteShellSandboxFsBridge({ sandbox, runtime: handle }),
	};
	return handle;
}

function createManager(bin) {
	return {
		async describeRuntime({ entry }) {
			const result = await runClawlock([
				bin.path, "-q", "sandbox", "describe", ...bin.config, "--json", "--", entry.sessionKey,
			]);
			if (result.code !== 0) throw failure("sandbox describe", result);
			const state = JSON.parse(result.stdout.toString("utf8"));
			return {
				running: Boolean(state.running),
				actualConfigLabel: bin.path,
				configLabelMatch: entry.image === bin.path,
			};
		},
		async removeRuntime({ entry }) {
			const result = await runClawlock([
				bin.path, "-q", "sandbox", "release", ...bin.config, "--", entry.sessionKey,
			]);
			if (result.code !== 0) throw failure("sandbox release", result);
		},
	};
}

export default definePluginEntry({
	id: "clawlock",
	name: "clawlock",
	description: "Sandbox backend \"clawlock\": tool calls confined by the kernel",
	register(api) {
		/* Every registration mode: `openclaw agent exec` loads plugins in "discovery". */
		const bin = { path: binaryOf(api.pluginConfig), config: configArgs(api.pluginConfig) };
		const unregister = registerSandboxBackend(BACKEND_ID, {
			factory: async (params) => createHandle(params, bin),
			manager: createManager(bin),
			resolveWorkdir: ({ workspaceDir }) => workspaceDir,
		});
		api.onDispose?.(unregister);
	},
});
