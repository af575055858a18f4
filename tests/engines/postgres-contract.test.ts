import { PostgresEngine } from "../../server/engines/postgres.ts";
import { startTestPostgres, type TestPostgres } from "../support/postgres.ts";
import { engineContract } from "./contract.ts";

let server: TestPostgres;

engineContract("postgres", {
  async setUp() {
    server = await startTestPostgres();
  },
  async tearDown() {
    await server?.stop();
  },
  async create({ historyLimit, finishedTtlMs }) {
    const engine = new PostgresEngine({ url: await server.createDatabase(), poolSize: 4, historyPerJob: historyLimit, finishedTtlMs });
    await engine.start();
    return engine;
  },
});
