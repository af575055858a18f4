import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { api, runtime } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";

/** Starts this runtime's entry file as `npm start` or `deno task start` would, on a free port. */
function startEntry() {
  const command = runtime === "deno"
    ? [(globalThis as any).Deno.execPath(), "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "server/deno.ts"]
    : [process.execPath, "--import", "tsx", "server/node.ts"];
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, PORT: "0", LOG_LEVEL: "info" }, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      log += String(chunk);
      const match = /listening on (http:\/\/[^"]+)"/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.on("exit", () => reject(new Error(`the hub exited before listening:\n${log}`)));
  });
  return { child, listening, exited, log: () => log };
}

describe(`the ${runtime} entry`, () => {
  it("listens, logs one JSON line saying where, and stops cleanly on SIGTERM", async () => {
    const entry = startEntry();
    const url = await entry.listening;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const firstLine = JSON.parse(entry.log().split("\n")[0]!);
    assert.equal(firstLine.level, "info");
    assert.equal(firstLine.engine, "memory");
    assert.match(firstLine.auth, /^none/, "the start-up line says the hub is unprotected");

    const { body: job } = await api(url, "POST", "/v1/jobs", { type: "migration", input: { durationMs: 60_000 } });
    assert.equal(job.type, "migration");
    const socket = await TestSocket.open(url.replace("http", "ws") + "/v1/ws");
    await socket.subscribe(`job:${job.id}`);

    entry.child.kill("SIGTERM");
    assert.equal(await socket.closed, 1001, "clients are told the hub is going away");
    const code = await entry.exited;
    // Deno's node:child_process reports a child that handled SIGTERM as ended by the signal.
    assert.ok(code === 0 || (runtime === "deno" && code === null), `exit code ${code}\n${entry.log()}`);
    assert.match(entry.log(), /"msg":"shutting down","signal":"SIGTERM"/);
  });
});
