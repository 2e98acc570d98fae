// A chat node: npx tsx chat-node.ts [KEY_FILE] [HOST:PORT to listen on] [ID@HOST:PORT of another node]
import { Switch, secretAuthenticator, loadOrGenerateNodeKey } from "rx-mconn";

const [keyFile = "node_key.json", listen = "127.0.0.1:26656", peerAddress] = process.argv.slice(2);
const key = await loadOrGenerateNodeKey(keyFile);
const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "chat", listen });
sw.addReactor("chat", { channels: [{ id: 0x40, priority: 5, sendQueueCapacity: 100 }] });

// Every line from every peer.
sw.channel(0x40).messages$.subscribe(({ peer, message }) =>
  console.log(`${peer.nodeInfo.moniker}: ${new TextDecoder().decode(message)}`));

// Greet each peer as it joins: peer.send$ is an Observer of outbound messages.
sw.peers$.subscribe((e) => {
  if (e.type === "added") e.peer.send$.next({ channelId: 0x40, message: new TextEncoder().encode("hello") });
});

await sw.start();
console.log(`listening as ${sw.address}`);
if (peerAddress) await sw.dial(peerAddress);
process.once("SIGINT", () => void sw.stop());
