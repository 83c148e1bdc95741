// Lighthouse on several pages, one after another, from one Node process and one Chromium: what its CLI does for one
// page (the same Chrome launcher, flags and settings), without paying for Node, Lighthouse and Chromium to start
// again for each page. Each page gets a tab of its own, its storage cleared first, as with the CLI.
//
// node lighthouse_pages.mjs '{"chromePath": …, "chromeFlags": […], "categories": […], "pages": [[url, report], …]}'
// writes each page's report (JSON) to its path; a page Lighthouse could not measure gets no report, and why on
// stderr. Exits non-zero only when Lighthouse or Chromium could not run at all.
import * as ChromeLauncher from 'chrome-launcher';  // Lighthouse's own dependency, pinned by package-lock.json
import lighthouse from 'lighthouse';
import {writeFileSync} from 'node:fs';

const {chromePath, chromeFlags, categories, pages} = JSON.parse(process.argv[2]);
const chrome = await ChromeLauncher.launch({chromePath, chromeFlags});
try {
  for (const [url, report] of pages) {
    try {
      // No full-page screenshot: it only illustrates the HTML report, and costs seconds a page.
      const result = await lighthouse(url, {port: chrome.port, output: 'json', onlyCategories: categories,
                                            logLevel: 'error', disableFullPageScreenshot: true});
      if (result?.lhr.runtimeError) {
        console.error(`${url}: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}`);
      } else {
        writeFileSync(report, result.report);
      }
    } catch (error) {
      console.error(`${url}: ${error.stack ?? error}`);
    }
  }
} finally {
  chrome.kill();
}
