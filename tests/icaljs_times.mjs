// Reads an .ics on stdin and prints {uid: [startUTC, endUTC]} as ical.js (Thunderbird's parser) sees it.
import { createRequire } from "node:module";
const require = createRequire(process.env.ICALJS_DIR + "/");
const ICAL = require("ical.js");

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const tz of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(tz));
}
const out = {};
for (const ve of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(ve);
  out[event.uid] = [event.startDate.toUnixTime(), event.endDate.toUnixTime()];
}
console.log(JSON.stringify(out));
