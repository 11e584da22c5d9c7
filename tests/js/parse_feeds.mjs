// Parse iCalendar files with Mozilla's ical.js and print what they contain as JSON.
//
// Usage: node parse_feeds.mjs FILE...
// Output: {"FILE": {"name": ..., "calendar": {name, x-wr-calname, description,
// x-wr-caldesc}, "refresh": ..., "events": [{uid, summary, start, end,
// startIsDate, endIsDate, categories, description, alarms}]}}; exit 1 with the
// error on stderr when any file does not parse.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = {};
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  let root;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    console.error(`${file}: ${err.message}`);
    process.exit(1);
  }
  if (root.name !== "vcalendar") {
    console.error(`${file}: root component is ${root.name}`);
    process.exit(1);
  }
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const start = vevent.getFirstPropertyValue("dtstart");
    const end = vevent.getFirstPropertyValue("dtend");
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: start.toString(),
      end: end ? end.toString() : null,
      startIsDate: start.isDate,
      endIsDate: end ? end.isDate : null,
      dtstamp: vevent.getFirstPropertyValue("dtstamp").toString(),
      categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
      alarms: vevent.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toString()),
    };
  });
  out[file] = {
    name: root.getFirstPropertyValue("x-wr-calname"),
    calendar: Object.fromEntries(
      ["name", "x-wr-calname", "description", "x-wr-caldesc"].map((key) => [
        key,
        String(root.getFirstPropertyValue(key)),
      ]),
    ),
    method: root.getFirstPropertyValue("method"),
    refresh: String(root.getFirstPropertyValue("refresh-interval")),
    events,
  };
}
process.stdout.write(JSON.stringify(out));
