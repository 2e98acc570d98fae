import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { handlesAfterClosing, openHandles } from "../../helpers/open-handles.js";

const timers = () => Number(/^(\d+) timers? /.exec(openHandles().find((d) => d.includes("(setTimeout/setInterval)")) ?? "")?.[1] ?? 0);

describe("the check that nothing is left open", () => {
  it("names a listening server and both ends of a connection, and lets them go once closed", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const client = connect(port, "127.0.0.1");
    const [[accepted]] = (await Promise.all([once(server, "connection"), once(client, "connect")])) as [[Socket], unknown[]];
    expect(openHandles()).to.include(`server listening on 127.0.0.1:${port}`);
    expect(openHandles()).to.include(`socket 127.0.0.1:${client.localPort} → 127.0.0.1:${port}`);
    expect(openHandles()).to.include(`socket 127.0.0.1:${port} → 127.0.0.1:${client.localPort}`);
    client.destroy();
    accepted.destroy();
    server.close();
    const left = await handlesAfterClosing(5_000);
    expect(left.filter((d) => d.includes(`:${port}`))).to.deep.equal([]);
  });

  it("counts a pending timer, but not an unref'd one", () => {
    const before = timers();
    const pending = setTimeout(() => undefined, 60_000);
    expect(timers()).to.equal(before + 1);
    const unrefd = setTimeout(() => undefined, 60_000).unref();
    expect(timers()).to.equal(before + 1);
    clearTimeout(pending);
    clearTimeout(unrefd);
    expect(timers()).to.equal(before);
  });

  it("names a running child process by its pid and arguments", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    await once(child, "spawn");
    expect(openHandles()).to.include(`child process ${child.pid} (${process.execPath} -e setTimeout(() => {}, 60000))`);
    child.kill();
    await once(child, "exit");
    expect((await handlesAfterClosing(5_000)).filter((d) => d.startsWith(`child process ${child.pid} `))).to.deep.equal([]);
  });
});
