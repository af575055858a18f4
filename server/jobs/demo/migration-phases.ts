import type { PhaseInput } from "../define.ts";

/** The phase plan of the demo migrations, which the Storybook stories show too. */
export const MIGRATION_PHASES: PhaseInput[] = [
  { name: "preflight", label: "Preflight checks", weight: 1 },
  { name: "schema", label: "Create schema", weight: 1 },
  { name: "copy", label: "Copy data", weight: 6 },
  { name: "verify", label: "Verify", weight: 2 },
  // Once traffic has moved, writes land on the target only: there is no going back.
  { name: "cutover", label: "Cut over", weight: 1, irreversible: true },
  { name: "cleanup", label: "Clean up", weight: 1 },
];
