import { useEffect, useRef, useState } from 'react';
import '../../widgets/index.ts';
import type { JobProgress } from '../../widgets/index.ts';

/** A button that starts an extraction, its live progress, and the result once it completes. */
export function App({ hub }: { hub: string }) {
  const progress = useRef<JobProgress>(null);
  const [result, setResult] = useState<string | null>(null);

  useEffect(() => {
    const element = progress.current;
    if (!element) return;
    const onComplete = (event: HTMLElementEventMap['jobcast-complete']) => setResult(JSON.stringify(event.detail.job.result));
    element.addEventListener('jobcast-complete', onComplete);
    return () => element.removeEventListener('jobcast-complete', onComplete);
  }, []);

  const start = () => {
    setResult(null);
    progress.current?.start().catch(() => {}); // the element shows why it could not start
  };

  return (
    <jobcast-hub hub={hub}>
      <h1>Jobcast in React</h1>
      <connection-indicator></connection-indicator>
      <button type="button" onClick={start}>Start extraction</button>
      <job-progress ref={progress} type="extraction" input={JSON.stringify({ durationMs: 1500 })}></job-progress>
      {result && <p role="status">Completed: {result}</p>}
    </jobcast-hub>
  );
}
