import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { freePort } from "./ports.ts";
import { eventually } from "./wait.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

export type HubRuntime = "node" | "deno";

/** A hub run as its own process by the real entry file, the way `npm start` / `deno task start` run it. */
export interface HubProcess {
  readonly runtime: HubRuntime;
  readonly url: string;
  readonly wsUrl: string;
  /** What the process printed, for failure messages. */
  readonly output: () => string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the same hub again on the same port, after it exited. */
  restart(): Promise<void>;
}

/**
 * Starts `server/node.ts` (under `node --import tsx`, so that a signal reaches the hub itself and
 * not a wrapper) or `server/deno.ts` (under `deno run -A`), configured through the environment,
 * and resolves once `/healthz` answers.
 */
export async function startHubProcess(runtime: HubRuntime, env: Record<string, string>): Promise<HubProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let exited: Promise<void>;
  let output = "";

  const launch = async () => {
    const [command, args] = runtime === "node"
      ? [process.execPath, ["--import", "tsx", "server/node.ts"]]
      : [`${root}node_modules/.bin/deno`, ["run", "-A", "server/deno.ts"]];
    child = spawn(command, args, {
      cwd: root,
      env: {
        ...process.env,
        DENO_DIR: process.env.DENO_DIR ?? `${root}.deno`,
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        LOG_LEVEL: "warn",
        ...env,
        HOST: "127.0.0.1",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => output += chunk);
    child.stderr!.on("data", (chunk) => output += chunk);
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    // A test process that ends without stopping its hubs must not leave them running.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    void exited.then(() => process.removeListener("exit", killOnExit));
    let gone = false;
    void exited.then(() => gone = true);
    await eventually(async () => {
      if (gone) throw new Error(`${runtime} hub exited while starting:\n${output}`);
      return await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    }, 30_000, `${runtime} hub on port ${port}`);
  };
  await launch();

  const hub: HubProcess = {
    runtime,
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: launch,
  };
  running.add(hub);
  return hub;
}

/** Every hub process started here, so that none outlives the test process. */
const running = new Set<HubProcess>();

/** Stops every hub process still running (SIGTERM, as a deployment would). */
export async function stopHubProcesses(): Promise<void> {
  await Promise.all([...running].map((hub) => hub.kill("SIGTERM")));
  running.clear();
}
