/** The report page's stylesheet, inlined into index.html so the page needs no other file (internal). */
export const STYLE = `
:root { --fail: #c5221f; --fail-bg: #fce8e6; --ok: #137333; --ok-bg: #e6f4ea; --warn: #b06000; --warn-bg: #fef7e0;
  --muted: #5f6368; --line: #dadce0; --known: #1a73e8; --known-bg: #e8f0fe; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; background: #f8f9fa; }
main { max-width: 1600px; margin: 0 auto; padding: 0 24px 48px; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
.banner { padding: 16px 24px; color: #fff; font-size: 20px; font-weight: 600; }
.banner.pass { background: var(--ok); } .banner.fail { background: var(--fail); }
.banner small { display: block; font-size: 13px; font-weight: 400; opacity: .9; }
h2 { font-size: 17px; margin: 28px 0 10px; } h3 { font-size: 14px; margin: 14px 0 6px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 8px; margin-top: 16px; }
.summary > div { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.summary dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.summary dd { margin: 2px 0 0; font-weight: 500; overflow-wrap: anywhere; }
.summary dd small { display: block; color: var(--muted); font-weight: 400; }
table { border-collapse: collapse; }
.props { background: #fff; border: 1px solid var(--line); }
.props th, .props td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left; }
.props td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.pass { color: var(--ok); background: var(--ok-bg); }
.badge.fail, .badge.error, .badge.counterexample { color: var(--fail); background: var(--fail-bg); }
.badge.flaky { color: var(--warn); background: var(--warn-bg); }
.badge.known { color: var(--known); background: var(--known-bg); }
.cx { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--fail); border-radius: 6px; padding: 4px 16px 16px; margin: 16px 0; }
.cx.flaky { border-left-color: var(--warn); } .cx.known { border-left-color: var(--known); }
.cx h2 { margin-top: 12px; }
.message { font-weight: 500; margin: 4px 0; }
.meta { color: var(--muted); margin: 4px 0; }
.replay { display: block; background: #202124; color: #e8eaed; padding: 8px 12px; border-radius: 4px; overflow-x: auto; white-space: pre; margin: 8px 0; }
.timeline-wrap { overflow-x: auto; margin-top: 10px; }
.timeline { table-layout: fixed; }
.timeline th, .timeline td { border: 1px solid var(--line); padding: 6px 8px; vertical-align: top; text-align: left; width: 230px; min-width: 230px; }
.timeline th.lane { width: 110px; min-width: 110px; background: #f1f3f4; position: sticky; left: 0; z-index: 1; }
.timeline th.lane small { display: block; color: var(--muted); font-weight: 400; }
.timeline thead th { background: #f1f3f4; font-weight: 500; }
.timeline thead th .n { display: block; font-size: 12px; color: var(--muted); }
.timeline thead th .cmd { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.timeline .failing { background: var(--fail-bg); border: 2px solid var(--fail); }
.timeline thead th.failing { background: var(--fail); color: #fff; }
.timeline thead th.failing .n { color: #fff; font-weight: 700; }
.answer { font-weight: 600; margin-bottom: 4px; overflow-wrap: anywhere; }
.answer.ok { color: var(--ok); } .answer.err { color: var(--warn); }
.state { list-style: none; margin: 0; padding: 0; font-size: 12.5px; }
.state li { overflow-wrap: anywhere; }
.state .kind { color: var(--muted); font-size: 11px; margin-right: 4px; }
.differs { color: var(--fail); font-weight: 700; }
.answer.differs { color: var(--fail); }
.cell-diff { margin-top: 6px; padding-top: 4px; border-top: 1px dashed var(--fail); font-size: 12px; }
.cell-diff div { overflow-wrap: anywhere; }
.none { color: var(--muted); }
.diff { margin-top: 12px; }
.diff table { background: #fff; border: 1px solid var(--line); }
.diff th, .diff td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
.diff td.expected { color: var(--ok); } .diff td.actual { color: var(--fail); font-weight: 600; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
pre { background: #f1f3f4; padding: 8px; overflow-x: auto; max-height: 400px; }
`;
