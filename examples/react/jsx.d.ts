import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { ConnectionIndicator, JobcastHub, JobProgress } from '../../widgets/index.ts';

/** The Jobcast elements in JSX, with their attributes as props. */
type Element<T extends HTMLElement, Props> = DetailedHTMLProps<HTMLAttributes<T>, T> & Props;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'jobcast-hub': Element<JobcastHub, { hub?: string }>;
      'connection-indicator': Element<ConnectionIndicator, { hub?: string; compact?: boolean }>;
      'job-progress': Element<
        JobProgress,
        { hub?: string; 'job-id'?: string; type?: string; input?: string; autostart?: boolean; controls?: boolean }
      >;
    }
  }
}
