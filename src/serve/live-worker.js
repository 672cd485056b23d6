// blogsmith serve: one event stream shared by every open page of the site.
//
// Browsers open at most six HTTP/1.1 connections to a host, for all tabs
// together; an event stream holds one for as long as its page is open. So the
// pages share this worker's stream instead of opening one each, and a seventh
// tab of the site still loads.
'use strict';

const ports = new Set();
// What a page that connects now needs to know: {server, version, errors}.
let state = null;

const broadcast = (name, data) => {
  for (const port of ports) port.postMessage({ name, data });
};

const supported = typeof EventSource === 'function';
if (supported) {
  const source = new EventSource('/__blogsmith/events');
  source.addEventListener('hello', (event) => {
    state = JSON.parse(event.data);
    broadcast('hello', event.data);
  });
  source.addEventListener('reload', (event) => {
    const data = JSON.parse(event.data);
    if (state) {
      state.version = Math.max(state.version, data.version);
      state.errors = [];
    }
    broadcast('reload', event.data);
  });
  source.addEventListener('errors', (event) => {
    if (state) state.errors = JSON.parse(event.data).errors;
    broadcast('errors', event.data);
  });
}

self.onconnect = (event) => {
  const port = event.ports[0];
  if (!supported) {
    // The page opens its own stream.
    port.postMessage({ name: 'unsupported', data: 'null' });
    return;
  }
  ports.add(port);
  port.onmessage = (message) => {
    if (message.data === 'bye') ports.delete(port);
  };
  if (state) port.postMessage({ name: 'hello', data: JSON.stringify(state) });
};
