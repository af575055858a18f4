import { MemoryEngine } from "../../server/engines/memory.ts";
import { engineContract } from "./contract.ts";

engineContract("memory", {
  async create({ historyLimit, finishedTtlMs }) {
    const engine = new MemoryEngine({ historyPerJob: historyLimit, globalHistory: historyLimit, finishedTtlMs });
    await engine.start();
    return engine;
  },
});
