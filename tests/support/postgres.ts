import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import process from "node:process";
import { promisify } from "node:util";
import postgres from "postgres";
import { freePort } from "./ports.ts";

const run = promisify(execFile);

/** A PostgreSQL server for tests: either `DATABASE_URL`'s, or a throwaway cluster started here. */
export interface TestPostgres {
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Drops the databases made here and stops the cluster if it was started here. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway cluster in a fresh /tmp folder on a free port, unless `DATABASE_URL` names a
 * server to use. Postgres refuses to run as root, so as root its programs run as the `postgres` user.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) return withServer(external, async () => {});
  const cluster = await startCluster();
  return withServer(cluster.url, cluster.stop);
}

function withServer(serverUrl: string, stopServer: () => Promise<void>): TestPostgres {
  const created: string[] = [];
  const admin = () => postgres(serverUrl, { max: 1, onnotice: () => {} });
  return {
    async createDatabase() {
      const name = `jobcast_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
      const sql = admin();
      try {
        await sql.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await sql.end();
      }
      created.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      const sql = admin();
      try {
        for (const name of created) await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
        await stopServer();
      }
    },
  };
}

interface Cluster {
  url: string;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const bin = findPostgresBin();
  const asPostgres = process.getuid?.() === 0;
  const command = (program: string, args: string[]): [string, string[]] =>
    asPostgres ? ["runuser", ["-u", "postgres", "--", `${bin}/${program}`, ...args]] : [`${bin}/${program}`, args];

  // mktemp run as the server's user gives a folder it owns with mode 700, as initdb requires.
  const [mktemp, mktempArgs] = asPostgres ? ["runuser", ["-u", "postgres", "--", "mktemp", "-d", "/tmp/jobcast-pg-XXXXXX"]] : ["mktemp", ["-d", "/tmp/jobcast-pg-XXXXXX"]];
  const dir = (await run(mktemp, mktempArgs)).stdout.trim();
  const dataDir = `${dir}/data`;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run(...command("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync"]));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
      try {
        await run(...command("pg_ctl", ["-D", dataDir, "-w", "-s", "-l", `${dir}/server.log`, "start", "-o", options]));
      } catch (error) {
        if (attempt < 3) continue; // another process may have taken the port meanwhile
        throw error;
      }
      const [ctl, stopArgs] = command("pg_ctl", ["-D", dataDir, "-s", "-m", "immediate", "stop"]);
      // Safety net for a test process that dies without calling stop().
      const stopNow = () => {
        try {
          execFileSync(ctl, stopArgs, { stdio: "ignore" });
        } catch { /* already stopped */ }
        remove();
      };
      process.once("exit", stopNow);
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        async stop() {
          process.removeListener("exit", stopNow);
          await run(ctl, stopArgs).catch(() => {});
          remove();
        },
      };
    }
  } catch (error) {
    remove();
    throw error;
  }
}

function findPostgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error("PostgreSQL server programs not found: install postgresql, set PG_BIN or DATABASE_URL");
  return `${root}/${versions[0]}/bin`;
}
