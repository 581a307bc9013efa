// A Chromium Web Worker in a conformance scenario (chromium-page.ts starts
// it; bundled by chromium.ts). Its one job { arena, segment, address }: it
// joins the page's plain arena with shmkit/browser, opens the segment, says
// {ready}, plays its role on 'go' and posts {result} or {error}.
// @ts-expect-error: served beside this bundle, typed through dist/browser.d.ts where it is used
import * as shm from '/shmkit/browser.mjs';
import { playWhenTold, type PartyMessage } from './backend.js';

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: PartyMessage): void };
let go: (() => void) | undefined;
scope.onmessage = ({ data }) => {
  if (data === 'go') return go?.();
  const seg = shm.joinArena(data.arena).openSegment(data.segment);
  const post = (message: PartyMessage) => {
    if ('result' in message || 'error' in message) seg.close();
    scope.postMessage(message);
  };
  playWhenTold(seg, data.address, post, (run) => (go = run));
};
