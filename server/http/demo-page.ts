/** The page at `/`: every widget, and a button per job type to start one. */
export function demoPage(types: Iterable<string>): string {
  const buttons = [...types]
    .map((type) => `<button type="button" data-type="${escapeHtml(type)}">${escapeHtml(type)}</button>`)
    .join("\n        ");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Jobcast</title>
    <link rel="icon" href="data:,">
    <script type="module" src="/widgets/jobcast.js"></script>
    <style>
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1.5rem; color-scheme: light dark; }
      header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
      .start { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; }
      .start button { font: inherit; padding: .4rem .8rem; border-radius: .4rem; border: 1px solid currentColor; background: none; cursor: pointer; }
      label { display: inline-flex; gap: .4rem; align-items: center; }
      #jobs { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); }
      section { margin-block: 2rem; }
    </style>
  </head>
  <body>
    <jobcast-hub>
      <header>
        <h1>Jobcast</h1>
        <connection-indicator></connection-indicator>
      </header>
      <p>Start a demo job and watch it live. Every widget on this page shares one connection to the hub.</p>
      <div class="start" role="group" aria-label="Start a demo job">
        ${buttons}
        <label><input type="checkbox" id="fail"> make it fail part-way</label>
      </div>
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs started here</h2>
        <div id="jobs"></div>
      </section>
      <section aria-labelledby="board-heading">
        <h2 id="board-heading">Migrations</h2>
        <migration-board></migration-board>
      </section>
    </jobcast-hub>
    <script type="module">
      const jobs = document.getElementById("jobs");
      for (const button of document.querySelectorAll("button[data-type]")) {
        button.addEventListener("click", async () => {
          const input = { durationMs: 15000, fail: document.getElementById("fail").checked };
          const response = await fetch("/v1/jobs", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ type: button.dataset.type, input }),
          });
          const job = await response.json();
          if (!response.ok) return alert(job.error.message);
          const widget = document.createElement("job-progress");
          widget.setAttribute("job-id", job.id);
          widget.setAttribute("controls", "");
          jobs.prepend(widget);
        });
      }
    </script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
