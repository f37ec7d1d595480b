// The example's entry point: reads /config.json (written by examples/web/run), starts devices A and
// B, and the server panel. The SyncKit code is in device.js (sign-in, the replica) and the files it
// uses (todos.js, attachment.js, sync-controls.js); server-view.js fetches raw ciphertext.
import { Device } from './device.js';
import { ServerView } from './server-view.js';

async function main() {
  const config = await (await fetch('/config.json')).json();
  if (!config.serverUrl || !config.apiKey) {
    const error = document.getElementById('config-error');
    error.textContent = 'No SyncKit server configured: start the example with examples/web/run.';
    error.hidden = false;
    return;
  }
  const template = document.getElementById('device-template');
  const devices = ['A', 'B'].map((name) => {
    const slot = document.getElementById(`device-${name.toLowerCase()}`);
    slot.append(template.content.cloneNode(true));
    return new Device(name, slot.querySelector('.device'), config);
  });
  const server = new ServerView(document.getElementById('server-view'), config, devices[0]);
  for (const device of devices) device.onSynced = () => server.refresh();
  // Both clients share one WebAssembly module (loaded once per page by the package).
  await Promise.all(devices.map((device) => device.start()));
  window.synckitExample = { devices, server }; // for poking around in the console
}

main();
