// Checks motcua's pages in headless Chromium: accessibility (axe-core,
// WCAG 2.1 A and AA), a 360 px wide phone without horizontal scrolling,
// the language of the page, and no console errors (a Content-Security-Policy
// violation is one). Usage: node pages.mjs BASE_URL PATH...
// Prints one JSON object per page on stdout.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, ...paths] = process.argv.slice(2);
const userDataDir = mkdtempSync(join(tmpdir(), 'motcua-chromium-'));

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const path of paths) {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      const consoleErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      page.on('pageerror', (e) => consoleErrors.push(String(e)));
      const resp = await page.goto(base + path, { waitUntil: 'load' });
      // axe is injected through the DevTools protocol, which the page's CSP does not govern.
      await page.evaluate(axeSource);
      const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
      });
      const layout = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        title: document.title,
        h1: Array.from(document.querySelectorAll('h1')).map((h) => h.textContent.trim()),
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      console.log(JSON.stringify({ path, width: viewport.width, status: resp.status(), axe, consoleErrors, ...layout }));
      await page.close();
    }
  }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
