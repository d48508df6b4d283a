// puppeteer's own Chrome download cannot reach its host from these machines:
// skip it and find a system Chromium at run time (src/browser.ts).
module.exports = { skipDownload: true };
