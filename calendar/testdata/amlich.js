// Records Vietnamese lunar calendar dates computed by the npm package
// amlich 0.0.2 (Hồ Ngọc Đức's algorithm, UTC+7) as CSV test data.
//
//	npm install amlich@0.0.2 && node amlich.js
//
// run in a scratch directory holding a copy of this file, writes tet.csv,
// lunar-months.csv and lunar-sample.csv there.
const fs = require("fs");
const amlich = require("amlich");

const tz = 7;
const header = (what, columns) =>
  "# " + what + "\n" +
  "# Source: npm package amlich 0.0.2 (https://github.com/vanng822/amlich), a port of\n" +
  "# Hồ Ngọc Đức's lunar calendar algorithm, time zone +7.\n" +
  "# Command: npm install amlich@0.0.2 && node amlich.js (calendar/testdata/amlich.js)\n" +
  columns + "\n";
const pad = (n) => String(n).padStart(2, "0");
const iso = ([d, m, y]) => y + "-" + pad(m) + "-" + pad(d);
const solar = (d, m, y, leap) => amlich.convertLunar2Solar(d, m, y, leap, tz);
const dayBefore = (dmy) => amlich.jdToDate(amlich.jdFromDate(dmy[0], dmy[1], dmy[2]) - 1);

let tet = header("For each lunar year: the solar dates of 1/1, of the last day of the year and of 10/3.",
  "lunar_year,tet,last_day,hung_kings");
for (let y = 1900; y <= 2100; y++) {
  tet += [y, iso(solar(1, 1, y, 0)), iso(dayBefore(solar(1, 1, y + 1, 0))), iso(solar(10, 3, y, 0))].join(",") + "\n";
}
fs.writeFileSync("tet.csv", tet);

let months = header("Every lunar month beginning from 1900-01-01 to 2100-12-31: its first solar day.",
  "solar,lunar_year,lunar_month,leap");
for (let jd = amlich.jdFromDate(1, 1, 1900); jd <= amlich.jdFromDate(31, 12, 2100); jd++) {
  const s = amlich.jdToDate(jd);
  const [ld, lm, ly, leap] = amlich.convertSolar2Lunar(s[0], s[1], s[2], tz);
  if (ld === 1) months += [iso(s), ly, lm, leap].join(",") + "\n";
}
fs.writeFileSync("lunar-months.csv", months);

// mulberry32, seeded, so that the sample is reproducible.
let seed = 20260101;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
let sample = header("2,000 random solar dates from 1900 to 2100 and their lunar dates.",
  "solar,lunar_year,lunar_month,lunar_day,leap");
const first = amlich.jdFromDate(1, 1, 1900), last = amlich.jdFromDate(31, 12, 2100);
for (let i = 0; i < 2000; i++) {
  const s = amlich.jdToDate(first + Math.floor(random() * (last - first + 1)));
  const [ld, lm, ly, leap] = amlich.convertSolar2Lunar(s[0], s[1], s[2], tz);
  sample += [iso(s), ly, lm, ld, leap].join(",") + "\n";
}
fs.writeFileSync("lunar-sample.csv", sample);
