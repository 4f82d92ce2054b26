// A reporter's path through the form (`/report/`) as a Lighthouse user flow, for the figures
// in BENCHMARKS.md ("Reporter pages: layout shift and Lighthouse"). Not run by CI, and
// Lighthouse is not a dependency of the project: install it in a scratch directory outside
// the repository and run this file from there (ES modules resolve packages from the
// script's own folder):
//
//   mkdir -p "$SCRATCH" && cd "$SCRATCH" && npm install --no-save lighthouse@12.8.2
//   cp <repo>/bench/lighthouse_flow.mjs . && CHROME_PATH=/usr/bin/chromium \
//     node lighthouse_flow.mjs http://127.0.0.1:8080
//
// Steps: the start page (navigation); each step to the review, answered as a witness
// reporting anonymously (timespan: the person it happened to is a student; of the people
// involved, the first's name is not known and a second is added by name; a witness is not
// asked the demographic questions; the mode step shows the limits of confidentiality); the
// review (snapshot); the review reloaded mid-report (navigation, the draft kept in the tab);
// sending (timespan); the confirmation (snapshot); the confirmation reloaded from the tab's
// receipt (navigation). Prints the steps walked, each step's category scores and CLS, and
// writes the whole flow to `flow.json`.
import fs from "node:fs";
import puppeteer from "puppeteer-core";
import { startFlow } from "lighthouse";

const base = process.argv[2] || "http://127.0.0.1:8080";
const answers = {
  reporter_role: "staff",
  reporting_for: "witness",
  affected_role: "student",
  what_happened: "verbal_harassment",
  when: "last_week",
  where: "online",
  immediate_danger: "no",
  mode: "anonymous",
};
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage();
const flow = await startFlow(page, {
  config: {
    extends: "lighthouse:default",
    settings: { onlyCategories: ["performance", "accessibility", "best-practices"] },
  },
});
const keepStorage = { disableStorageReset: true };
const shownStep = () => page.$eval("main [data-step]", (element) => element.dataset.step);
// Polling on DOM mutations, not every frame: the driver's own polling would run in the
// page and count towards its blocking time.
const leftStep = (step) =>
  page.waitForFunction(
    (id) => !document.querySelector(`main [data-step="${id}"]`),
    { polling: "mutation" },
    step,
  );
const submit = () => page.click("main [data-form] button[type=submit]");
// The people question: a fieldset per person, each with a name or "I don't know their name".
const involvedPeople = async () => {
  await page.click("#involved_names-0-unknown");
  await page.click("main [data-add-person]");
  await page.waitForSelector("#involved_names-1-name");
  await page.type("#involved_names-1-name", "Sam Jones");
};

await flow.navigate(`${base}/report/`, { name: "start page" });
await flow.startTimespan({ name: "each step to the review" });
await submit();
await leftStep("start");
const walked = [];
for (let i = 0; i < 30; i++) {
  const step = await shownStep();
  if (step === "review") break;
  walked.push(step);
  if (answers[step]) await page.click(`input[name="${step}"][value="${answers[step]}"]`);
  if (step === "involved_names") await involvedPeople();
  await submit();
  await leftStep(step);
}
await flow.endTimespan();
if ((await shownStep()) !== "review") throw new Error(`stopped at ${await shownStep()}`);
if (!(await page.$eval("main", (main) => main.textContent.includes("Sam Jones"))))
  throw new Error("the review does not list the person added by name");
await flow.snapshot({ name: "review" });
await flow.navigate(`${base}/report/`, { name: "review, reloaded mid-report", flags: keepStorage });
await flow.startTimespan({ name: "sending" });
await submit();
await page.waitForSelector("[data-testid=reference]");
await flow.endTimespan();
await flow.snapshot({ name: "confirmation" });
await flow.navigate(`${base}/report/`, { name: "confirmation, reloaded", flags: keepStorage });

console.log(`steps walked: ${walked.join(", ")}`);
const result = await flow.createFlowResult();
fs.writeFileSync("flow.json", JSON.stringify(result));
for (const { name, lhr } of result.steps) {
  // A snapshot has no weighted performance audits: its performance "score" means nothing.
  const scores = Object.entries(lhr.categories)
    .filter(([id]) => !(lhr.gatherMode === "snapshot" && id === "performance"))
    .map(([id, category]) => `${id} ${category.score}`);
  const cls = lhr.audits["cumulative-layout-shift"]?.numericValue;
  const tbt = lhr.audits["total-blocking-time"]?.numericValue;
  console.log(
    `${name} [${lhr.gatherMode}]: ${scores.join(", ")}` +
      (cls === undefined ? "" : `; CLS ${cls.toFixed(3)}, TBT ${Math.round(tbt)} ms`),
  );
}
await browser.close();
