import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { installKernel, kernelJson, launcherPath, uninstallKernel, userDataDir } from "./kernelspec";
import { needsJupyter } from "./jupyter-tools";
import { main } from "../cli/main";

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-ks-"));
}

function withDataDir<T>(dir: string, fn: () => T): T {
  const saved = process.env.JUPYTER_DATA_DIR;
  process.env.JUPYTER_DATA_DIR = dir;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.JUPYTER_DATA_DIR;
    else process.env.JUPYTER_DATA_DIR = saved;
  }
}

test("kernelJson: absolute node and launcher, signal interrupts, the display name", () => {
  const k = kernelJson("Mine");
  assert.ok(path.isAbsolute(k.argv[0]) && fs.existsSync(k.argv[0]), k.argv[0]);
  assert.equal(k.argv[1], launcherPath());
  assert.ok(fs.existsSync(k.argv[1]), "the compiled launcher exists");
  assert.deepEqual(k.argv.slice(2), ["--config-path", "{connection_file}"]);
  assert.equal(k.display_name, "Mine");
  assert.equal(k.interrupt_mode, "signal");
});

test("userDataDir follows jupyter_core: JUPYTER_DATA_DIR, then the platform's folder", () => {
  assert.equal(userDataDir({ JUPYTER_DATA_DIR: "/j" }, "linux", "/h"), "/j");
  assert.equal(userDataDir({}, "linux", "/h"), path.join("/h", ".local", "share", "jupyter"));
  assert.equal(userDataDir({ XDG_DATA_HOME: "/x" }, "linux", "/h"), path.join("/x", "jupyter"));
  assert.equal(userDataDir({}, "darwin", "/h"), path.join("/h", "Library", "Jupyter"));
});

test("installKernel without Jupyter writes kernel.json and the logos; uninstall removes them", () => {
  const dir = tmp();
  withDataDir(dir, () => {
    const r = installKernel({ jupyter: null, name: "bert-lab-test", displayName: "BL test" });
    assert.equal(r.via, "direct");
    assert.equal(r.dir, path.join(dir, "kernels", "bert-lab-test"));
    const k = JSON.parse(fs.readFileSync(path.join(r.dir, "kernel.json"), "utf8"));
    assert.equal(k.display_name, "BL test");
    for (const f of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) assert.ok(fs.statSync(path.join(r.dir, f)).size > 100, f);
    // installing again replaces it in place
    installKernel({ jupyter: null, name: "bert-lab-test", displayName: "BL test 2" });
    assert.equal(JSON.parse(fs.readFileSync(path.join(r.dir, "kernel.json"), "utf8")).display_name, "BL test 2");
    assert.deepEqual(fs.readdirSync(path.join(dir, "kernels")), ["bert-lab-test"], "no temporary folder left behind");
    assert.deepEqual(uninstallKernel({ jupyter: null, name: "bert-lab-test" }), [r.dir]);
    assert.equal(fs.existsSync(r.dir), false);
    assert.deepEqual(uninstallKernel({ jupyter: null, name: "bert-lab-test" }), []);
  });
});

test("installKernel --prefix DIR writes DIR/share/jupyter/kernels/NAME; bad names are refused", () => {
  const prefix = tmp();
  const r = installKernel({ jupyter: null, scope: { kind: "prefix", dir: prefix } });
  assert.equal(r.dir, path.join(prefix, "share", "jupyter", "kernels", "bert-lab"));
  assert.ok(fs.existsSync(path.join(r.dir, "kernel.json")));
  assert.throws(() => installKernel({ jupyter: null, name: "no spaces", scope: { kind: "prefix", dir: prefix } }), /letters, digits/);
});

test("installKernel through `jupyter kernelspec install`: Jupyter lists the kernel", needsJupyter(), () => {
  const jupyter = ["/usr/bin/jupyter", "jupyter"].find((j) => spawnSync(j, ["kernelspec", "--version"]).status === 0);
  if (!jupyter) {
    assert.notEqual(process.env.CI, "true", "CI installs jupyter-client, which provides `jupyter kernelspec`");
    return;
  }
  const dir = tmp();
  withDataDir(dir, () => {
    const r = installKernel({ jupyter, name: "bert-lab-j" });
    assert.equal(r.via, "jupyter kernelspec install");
    const list = JSON.parse(spawnSync(jupyter, ["kernelspec", "list", "--json"], { encoding: "utf8", env: process.env }).stdout);
    assert.equal(list.kernelspecs["bert-lab-j"].spec.display_name, "BERT Lab (TypeScript)");
    assert.equal(fs.realpathSync(list.kernelspecs["bert-lab-j"].resource_dir), fs.realpathSync(r.dir));
    assert.equal(uninstallKernel({ jupyter, name: "bert-lab-j" }).length, 1);
  });
});

test("CLI: kernel install says where and how to start Jupyter; uninstall of a missing kernel exits 1", async () => {
  const prefix = tmp();
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdin: process.stdin, stdout: { write: (s: string) => out.push(s) } as never, stderr: { write: (s: string) => err.push(s) } as never } };
  };
  const a = io();
  assert.equal(await main(["kernel", "install", "--prefix", prefix, "--display-name", "X"], a.io), 0);
  assert.match(a.out.join(""), /installed kernel "bert-lab" \("X"\) in .*share.jupyter.kernels.bert-lab/);
  assert.match(a.out.join(""), /jupyter lab/);
  const b = io();
  assert.equal(await main(["kernel", "install", "--user", "--prefix", prefix], b.io), 2);
  assert.match(b.err.join(""), /at most one of --user, --sys-prefix, --prefix/);
  const c = io();
  assert.equal(await main(["kernel", "uninstall", "--prefix", prefix, "--name", "nothere"], c.io), 1);
  assert.match(c.err.join(""), /no kernel named "nothere"/);
});
