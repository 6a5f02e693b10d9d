/// The stylesheet and the script every page uses, served by the binary itself (`/assets/…`) or written into
/// an exported file: nothing is fetched from anywhere else.
public enum Assets {
    /// The stylesheet, light or dark as the reader's system is.
    public static let css = """
        :root { color-scheme: light dark; --fg: #1c1f23; --muted: #5b6470; --bg: #ffffff; --panel: #f5f6f8;
          --line: #d9dde3; --accent: #2456c7; --bad: #b42318; --warn: #9a6700; --good: #1a7f37; --mark: #fff3c4; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa3ad; --bg: #111418;
          --panel: #1a1f25; --line: #2e353d; --accent: #7aa7ff; --bad: #ff8579; --warn: #e3b341; --good: #56d364;
          --mark: #3b3210; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
          background: var(--bg); }
        header.top { display: flex; gap: 1.2em; align-items: baseline; padding: .6em 1.2em;
          border-bottom: 1px solid var(--line); background: var(--panel); flex-wrap: wrap; }
        header.top .brand { font-weight: 700; }
        header.top a { color: var(--fg); text-decoration: none; }
        header.top a[aria-current] { color: var(--accent); font-weight: 600; }
        header.top form { margin-left: auto; }
        main { padding: 1em 1.2em 3em; max-width: 1400px; }
        h1 { font-size: 1.35em; margin: .2em 0 .6em; word-break: break-all; }
        h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
        a { color: var(--accent); }
        code, pre, .id { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
        pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid var(--line); }
        th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: var(--muted); }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 1em; }
        .pill { display: inline-block; padding: 0 .45em; border-radius: 9px; border: 1px solid var(--line);
          font-size: 12px; white-space: nowrap; }
        .state-pending { border-color: var(--accent); color: var(--accent); }
        .state-claimed { border-color: var(--warn); color: var(--warn); }
        .state-done { border-color: var(--good); color: var(--good); }
        .state-blocked, .state-rejected, .state-failed, .state-dead { border-color: var(--bad); color: var(--bad); }
        .filters a { margin-right: .8em; }
        .filters a[aria-current] { font-weight: 700; text-decoration: none; color: var(--fg); }
        .pager { margin: 1em 0; display: flex; gap: 1em; align-items: center; }
        .actions { margin: 0; padding-left: 1.1em; }
        .flash { border-left: 4px solid var(--good); padding: .5em 1em; background: var(--panel); margin-bottom: 1em; }
        .flash.bad { border-left-color: var(--bad); }
        form.decide { display: flex; gap: .5em; margin-top: .5em; flex-wrap: wrap; }
        form.decide input[type=text] { flex: 1; min-width: 16em; padding: .35em .5em; }
        button { padding: .35em .9em; cursor: pointer; }
        input[type=search] { padding: .3em .5em; width: 18em; }
        details.json { margin-left: 1.1em; }
        details.json > summary { margin-left: -1.1em; cursor: pointer; list-style-position: outside; }
        .json .k { color: var(--accent); } .json .s { color: var(--good); word-break: break-word; } .json .n { color: var(--warn); }
        .json .l { color: var(--bad); }
        .json-root { border: 1px solid var(--line); border-radius: 6px; padding: .6em .8em; overflow-x: auto; }
        .timeline td { border-bottom: 1px solid var(--line); }
        .timeline tr.level-error td, .timeline tr.failed td { background: color-mix(in srgb, var(--bad) 9%, transparent); }
        .timeline tr.escalation td { background: color-mix(in srgb, var(--warn) 12%, transparent); }
        .timeline tr:target td { background: var(--mark); }
        .level { white-space: nowrap; font-weight: 600; }
        .flag { color: var(--bad); font-weight: 600; white-space: nowrap; }
        .marks .pill { margin-right: .3em; }
        meter { width: 5em; vertical-align: middle; }
        svg.bar rect.track { fill: var(--line); } svg.bar rect.fill { fill: var(--accent); }
        svg.bar rect.fill.error { fill: var(--bad); } svg.bar { vertical-align: middle; }
        .conversation { display: flex; flex-direction: column; gap: .6em; max-width: 60em; }
        .bubble { border: 1px solid var(--line); border-radius: 10px; padding: .5em .8em; background: var(--panel);
          max-width: 48em; }
        .bubble.coordinator { align-self: flex-end; border-color: var(--accent); }
        .bubble .who { font-weight: 600; }
        .chain-layout { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 1.5em; }
        #chain-text { white-space: pre; overflow-x: auto; }
        .timeline pre { font: inherit; }
        .timeline .tool div { white-space: nowrap; }
        @media (max-width: 1000px) { .chain-layout { grid-template-columns: 1fr; } }
        svg.chain { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px;
          background: var(--panel); }
        svg.chain .node rect { fill: var(--bg); stroke: var(--muted); stroke-width: 1.2; }
        svg.chain .node.focus rect { stroke: var(--accent); stroke-width: 2.5; }
        svg.chain .node text { fill: var(--fg); font: 12px system-ui, sans-serif; }
        svg.chain .node text.id { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--muted); }
        svg.chain a:hover rect, svg.chain a:focus rect { stroke: var(--accent); }
        svg.chain .edge { stroke: var(--muted); stroke-width: 1.3; fill: none; }
        svg.chain .edge-label { fill: var(--muted); font: 10.5px system-ui, sans-serif; }
        svg.chain marker path { fill: var(--muted); }
        .live { color: var(--good); font-weight: 600; }
        .sr { position: absolute; left: -9999px; }
        mark { background: var(--mark); color: inherit; }
        """

    /// The script of the pages that need one: an open session's page takes new entries as they are recorded
    /// (server-sent events), and JSON documents fold all at once. Pages work without it.
    public static let script = """
        "use strict";
        (function () {
          const body = document.body;
          const live = body.dataset.live;
          if (live && window.EventSource) {
            const rows = document.querySelector("#timeline tbody");
            const status = document.getElementById("live-status");
            const count = document.getElementById("step-count");
            const source = new EventSource(live);
            source.addEventListener("entries", (event) => {
              rows.insertAdjacentHTML("beforeend", event.data);
              const last = rows.querySelector("tr[data-step]:last-of-type");
              if (count && last) { count.textContent = last.dataset.step; }
            });
            source.addEventListener("ended", (event) => {
              if (status) { status.textContent = event.data; status.className = "muted"; }
              source.close();
            });
            source.addEventListener("error", () => { if (status) { status.textContent = "reconnecting…"; } });
            source.addEventListener("open", () => { if (status) { status.textContent = "● live"; status.className = "live"; } });
          }
          for (const button of document.querySelectorAll("button[data-fold]")) {
            button.addEventListener("click", () => {
              const open = button.dataset.fold === "open";
              for (const details of document.querySelectorAll("details.json")) { details.open = open; }
            });
          }
        })();
        """
}
