"""Page styling: KPI cards and spacing that work in the light and the dark theme."""

CSS = """
.sf-kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 6px 0; }
.sf-kpi { min-width: 190px; padding: 14px 18px; border-radius: 10px;
  border: 1px solid rgba(128,128,128,.25);
  background: var(--panel-surface-color, rgba(127,127,127,.06));
  box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.sf-kpi-title { font-size: 13px; opacity: .7; text-transform: uppercase; letter-spacing: .04em; }
.sf-kpi-value { font-size: 24px; font-weight: 600; margin-top: 4px; white-space: nowrap; }
.sf-stages { font-size: 13px; }
.sf-table-wrap { overflow-x: auto; }
.sf-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.sf-table th { font-weight: 600; padding: 6px 10px; white-space: nowrap;
  border-bottom: 2px solid rgba(128,128,128,.45); background: rgba(127,127,127,.08); }
.sf-table td { padding: 5px 10px; border-bottom: 1px solid rgba(128,128,128,.2);
  white-space: nowrap; }
.sf-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.sf-table .text { text-align: left; }
"""

ACCENT = "#0f6cbd"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
