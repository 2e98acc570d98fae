/**
 * The same chat node as a seed-style Reactor object, as code ported from Go has it:
 * `channels`, `addPeer`, `removePeer`, `receive`.
 */
import { Subject } from "rxjs";
import { Switch, secretAuthenticator, type Envelope, type NodeKey, type Peer, type Reactor } from "rx-mconn";
import { CHAT, type Line } from "./chat-rx.js";

/** The chat reactor: keeps the peer set, reports lines, broadcasts what is said. */
export class ChatReactor implements Reactor {
  readonly channels = [{ id: CHAT, priority: 5, sendQueueCapacity: 100 }];
  private readonly peers = new Set<Peer>();
  private readonly received = new Subject<Line>();
  /** Lines from every peer. */
  readonly lines$ = this.received.asObservable();

  addPeer(peer: Peer): void {
    this.peers.add(peer);
  }

  removePeer(peer: Peer): void {
    this.peers.delete(peer);
  }

  receive(envelope: Envelope<unknown>): void {
    this.received.next({ from: envelope.peer.nodeInfo.moniker, text: new TextDecoder().decode(envelope.message as Uint8Array) });
  }

  /** Sends `text` to every peer with room in its queue. */
  say(text: string): void {
    const bytes = new TextEncoder().encode(text);
    for (const peer of this.peers) peer.trySend(CHAT, bytes);
  }
}

/** Starts a chat node on 127.0.0.1 around a {@link ChatReactor}. */
export async function reactorChatNode(key: NodeKey, name: string) {
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "chat", moniker: name, listen: "127.0.0.1:0", allowDuplicateIp: true }); // every peer of the example comes from 127.0.0.1
  const chat = new ChatReactor();
  sw.addReactor("chat", chat);
  await sw.start();
  return { sw, lines$: chat.lines$, say: (text: string) => chat.say(text) };
}
