// Bodies the edge answers with itself: 404, 502/503/504 (custom per route or plain), maintenance.
import type { EdgeRoute } from '../../core/ports/edge-control.js';

export type ErrorStatus = 502 | 503 | 504;

const DEFAULT_TEXT: Record<ErrorStatus, string> = {
  502: 'Bad Gateway: the application did not answer.\n',
  503: 'Service Unavailable: the application cannot take requests right now, try again shortly.\n',
  504: 'Gateway Timeout: the application took too long to answer.\n',
};

export const NOT_FOUND_TEXT = 'Not Found: no application is served at this address.\n';

export interface Page {
  body: string;
  contentType: string;
}

export function errorPage(route: EdgeRoute | undefined, status: ErrorStatus): Page {
  const custom = route?.errorPages?.[String(status) as '502' | '503' | '504'];
  if (custom !== undefined) return { body: custom, contentType: 'text/html; charset=utf-8' };
  return { body: DEFAULT_TEXT[status], contentType: 'text/plain; charset=utf-8' };
}

export function maintenancePage(message: string): Page {
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Maintenance</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:15vh auto;padding:0 1rem;color:#222}</style></head>
<body><h1>Down for maintenance</h1><p>${escapeHtml(message)}</p></body>
</html>
`;
  return { body, contentType: 'text/html; charset=utf-8' };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
