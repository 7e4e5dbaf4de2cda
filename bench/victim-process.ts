/**
 * The victim of bench/isolation.ts in a process of its own, so the attacker's work in the benchmark process (building
 * a 300 MB payload, parsing a 24 MB answer) never delays the victim's requests: only the server can. Driven over IPC:
 *   {type: 'start', base} → {type: 'started'}; {type: 'watch'} → {type: 'watching'};
 *   {type: 'stop'} → {type: 'report', report: VictimReport}
 */
import { Victim } from '../test/reliability/harness.js';

let victim: Victim | null = null;
let watching: { stop: () => Promise<unknown> } | null = null;

process.on('message', async (message: { type: string; base?: string }) => {
  if (message.type === 'start') {
    victim = await Victim.start(message.base!);
    process.send?.({ type: 'started' });
  } else if (message.type === 'watch') {
    watching = victim!.watch();
    process.send?.({ type: 'watching' });
  } else if (message.type === 'stop') {
    const report = await watching!.stop();
    watching = null;
    process.send?.({ type: 'report', report });
  }
});

process.on('disconnect', () => process.exit(0));
