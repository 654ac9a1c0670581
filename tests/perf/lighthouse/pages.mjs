// Lighthouse (desktop preset, performance only) of two loads of the console's page, in one
// Debian Chromium started as Lighthouse's CLI starts it (chrome-launcher) and driven through
// puppeteer-core, as Lighthouse's documentation does for pages behind a sign-in:
//
// 1. `signin`: the first visit, nobody signed in — the sign-in page;
// 2. `operator`: the operator screen as an operator opens it once signed in. The operator signs
//    in through the sign-in page (the seeded user given, default op-sato), the browser's HTTP
//    cache is then emptied and the page loaded again with the session kept in localStorage, so
//    the bundle, the settings and the operator's data all load as on a cold visit.
//
// usage: node pages.mjs BASE_URL OUT_DIR [USER_ID]   (writes OUT_DIR/signin.json, operator.json)

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';

const [base, outDir, user = 'op-sato'] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node pages.mjs BASE_URL OUT_DIR [USER_ID]');
  process.exit(2);
}
const flags = { output: 'json', logLevel: 'error', onlyCategories: ['performance'] };

const chrome = await chromeLauncher.launch({
  chromePath: '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  const page = await browser.newPage();

  const signin = await lighthouse(`${base}/`, { ...flags, port: chrome.port }, desktopConfig, page);
  writeFileSync(join(outDir, 'signin.json'), signin.report);

  await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
  await page.click(`[data-user="${user}"]`);
  await page.waitForSelector('#operator', { timeout: 30_000 });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  const operator = await lighthouse(
    `${base}/`,
    { ...flags, port: chrome.port, disableStorageReset: true },
    desktopConfig,
    page,
  );
  writeFileSync(join(outDir, 'operator.json'), operator.report);
  if (operator.lhr.runtimeError || !(await page.$('#operator'))) {
    throw new Error(`the operator screen was not what loaded: ${JSON.stringify(operator.lhr.runtimeError ?? page.url())}`);
  }
  await browser.disconnect();
} finally {
  chrome.kill();
}
