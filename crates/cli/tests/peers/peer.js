// Express with the `cors` middleware, serving every options file of a
// directory at once.
//
//     node peer.js CONFIG_DIR        (NODE_PATH: the node_modules of ./node)
//
// Prints `PORT <n>` and `VERSION express <v> cors <v>` on stdout, then serves
// on 127.0.0.1 until killed. A request picks its options file by the header
// `X-Peer-Config: <file name>`. Every route answers 200 `ok`, except
// `/status/<code>`, which answers that status. Each file is evaluated as the
// JavaScript expression it is and passed to `cors(…)`: this is the
// reference, not crossgate.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const express = require("express");
const cors = require("cors");

const dir = process.argv[2];

function statusOf(p) {
  const m = /^\/status\/(\d+)\/?$/.exec(p);
  return m ? Number(m[1]) : 200;
}

const apps = {};
for (const name of fs.readdirSync(dir).sort()) {
  if (!/\.(js|json)$/.test(name)) continue;
  const text = fs.readFileSync(path.join(dir, name), "utf8");
  const options = new Function(`return (${text}\n);`)();
  const app = express();
  app.use(cors(options));
  app.use((req, res) => res.status(statusOf(req.path)).send("ok"));
  apps[name] = app;
}

const server = http.createServer((req, res) => {
  const app = apps[req.headers["x-peer-config"] || ""];
  if (!app) {
    res.statusCode = 599;
    res.end("no such config");
    return;
  }
  app(req, res);
});
server.listen(0, "127.0.0.1", () => {
  const version = (p) => require(`${p}/package.json`).version;
  console.log(`PORT ${server.address().port}`);
  console.log(`VERSION express ${version("express")} cors ${version("cors")}`);
});
