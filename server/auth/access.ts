import type { AccessClaims, Control, Job, Labels, TicketGrant } from "../protocol/index.ts";

/** What one caller may do; every route and subscription asks it. */
export interface Access {
  /** Who the caller is, for rate limits and logs; never the token. */
  readonly subject: string | undefined;
  /** Labels every job the caller sees carries, and every job it submits gets. */
  readonly labels: Labels;
  /** Epoch milliseconds after which the credentials are void; undefined when they never expire. */
  readonly expiresAt: number | undefined;
  /** What a stream ticket stores to rebuild this access on any instance; undefined for open access, which needs no ticket. */
  readonly grant: TicketGrant | undefined;
  mayRead(channel: string): boolean;
  maySubmit(type: string): boolean;
  mayControl(control: Control): boolean;
  mayReport(job: Job): boolean;
  /** Whether the job is inside the caller's scope (its labels). */
  sees(job: Pick<Job, "id" | "labels">): boolean;
}

/** `AUTH=none`: everything is allowed, as the hub behaves without authentication. */
export const OPEN_ACCESS: Access = {
  subject: undefined,
  labels: {},
  expiresAt: undefined,
  grant: undefined,
  mayRead: () => true,
  maySubmit: () => true,
  mayControl: () => true,
  mayReport: () => true,
  sees: () => true,
};

/** The access a verified token's claims grant. */
export function accessFromClaims(claims: AccessClaims): Access {
  const covers = (job: Pick<Job, "labels">) => Object.entries(claims.labels).every(([name, value]) => job.labels[name] === value);
  return {
    subject: claims.sub,
    labels: claims.labels,
    expiresAt: claims.exp * 1000,
    grant: { kind: "claims", claims },
    mayRead: (channel) => claims.channels.some((pattern) => channelMatches(pattern, channel)),
    maySubmit: (type) => claims.submit.includes("*") || claims.submit.includes(type),
    mayControl: (control) => claims.controls.includes(control),
    mayReport: (job) => claims.report && covers(job),
    sees: covers,
  };
}

/** A job's producer token: it reports for that one job and nothing else. */
export function producerAccess(jobId: string): Access {
  const isTheJob = (job: Pick<Job, "id">) => job.id === jobId;
  return {
    subject: `producer:${jobId}`,
    labels: {},
    expiresAt: undefined,
    grant: { kind: "producer", jobId },
    mayRead: () => false,
    maySubmit: () => false,
    mayControl: () => false,
    mayReport: isTheJob,
    sees: isTheJob,
  };
}

/** The access a stream ticket's grant stands for: exactly that of the token it was issued for. */
export function accessFromGrant(grant: TicketGrant): Access {
  return grant.kind === "claims" ? accessFromClaims(grant.claims) : producerAccess(grant.jobId);
}

/** Whether the caller may read this job: in its scope, and on a channel it may read. */
export function mayView(access: Access, job: Pick<Job, "id" | "type" | "labels">): boolean {
  return access.sees(job) && (access.mayRead(`job:${job.id}`) || access.mayRead("jobs") || access.mayRead(`jobs:${job.type}`));
}

function channelMatches(pattern: string, channel: string): boolean {
  if (pattern === "*" || pattern === channel) return true;
  return pattern.endsWith(":*") && channel.startsWith(pattern.slice(0, -1));
}
