import type { JobType } from "../define.ts";
import { contextGeneration } from "./context-generation.ts";
import { dataQuality } from "./data-quality.ts";
import { extraction } from "./extraction.ts";
import { migration } from "./migration.ts";
import { nlToSql } from "./nl-to-sql.ts";

/** Job types that replay flows teams build by hand, for the demo page, Storybook and tests. */
export const demoJobs: JobType[] = [extraction, migration, dataQuality, nlToSql, contextGeneration];
