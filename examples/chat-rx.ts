/**
 * A chat node, the Rx way: lines arrive on `switch.channel(id).messages$`, and what we type is
 * an Observable piped into every peer's `send$`.
 */
import { map, mergeMap, Observable, Subject, takeUntil } from "rxjs";
import { Switch, secretAuthenticator, type NodeKey, type Peer } from "rx-mconn";

export const CHAT = 0x40;

/** A chat line as received. */
export interface Line {
  readonly from: string;
  readonly text: string;
}

/** Starts a chat node on 127.0.0.1; `say` sends a line to every peer, `lines$` is what arrives. */
export async function rxChatNode(key: NodeKey, name: string) {
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "chat", moniker: name, listen: "127.0.0.1:0", allowDuplicateIp: true }); // every peer of the example comes from 127.0.0.1
  sw.addReactor("chat", { channels: [{ id: CHAT, priority: 5, sendQueueCapacity: 100 }] });

  const lines$: Observable<Line> = sw.channel(CHAT).messages$.pipe(
    map(({ peer, message }) => ({ from: peer.nodeInfo.moniker, text: new TextDecoder().decode(message) })),
  );

  // Everything typed goes to every peer connected at the time, until that peer leaves.
  const typed = new Subject<string>();
  sw.peers$
    .pipe(
      mergeMap((e) => (e.type === "added" ? [e.peer] : [])),
      mergeMap((peer: Peer) => typed.pipe(takeUntil(peer.ended$), map((text) => ({ peer, text })))),
    )
    .subscribe(({ peer, text }) => peer.send$.next({ channelId: CHAT, message: new TextEncoder().encode(text) }));

  await sw.start();
  return { sw, lines$, say: (text: string) => typed.next(text) };
}
