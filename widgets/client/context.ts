import { createContext } from '@lit/context';
import type { HubConnection } from './types.ts';

/** Provided by `<jobcast-hub>` to its subtree, across shadow roots. */
export const hubContext = createContext<HubConnection | undefined>(Symbol.for('jobcast.hub'));
