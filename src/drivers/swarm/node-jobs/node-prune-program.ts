// The program a `global-job` task runs on every node to remove an app's images that no kept
// release uses: plain Node.js (run with `node -e` in the Slipway edge image, which holds node and
// nothing else), talking HTTP to the node's own Engine on its bind-mounted socket.
// argv: <socket path> <repository> <kept image reference>...
// Prints one "removed <ref>" line per image; exits 1 on an Engine error other than "in use".

export const NODE_PRUNE_PROGRAM = String.raw`
const http = require('node:http');
const [socketPath, repository, ...keep] = process.argv.slice(1);
const kept = new Set(keep);
function call(method, path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { host: 'docker' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
(async () => {
  const filters = encodeURIComponent(JSON.stringify({ reference: [repository] }));
  const list = await call('GET', '/images/json?filters=' + filters);
  if (list.status !== 200) throw new Error('listing images: HTTP ' + list.status + ' ' + list.body);
  let failed = false;
  for (const img of JSON.parse(list.body)) {
    const refs = [...(img.RepoDigests || []), ...(img.RepoTags || [])];
    if (refs.some((r) => kept.has(r))) continue;
    const del = await call('DELETE', '/images/' + encodeURIComponent(img.Id) + '?force=false&noprune=false');
    if (del.status === 200) console.log('removed ' + (refs[0] || img.Id));
    else if (del.status === 409 || del.status === 404) console.log('kept ' + (refs[0] || img.Id) + ' (in use)');
    else {
      failed = true;
      console.error('removing ' + (refs[0] || img.Id) + ': HTTP ' + del.status + ' ' + del.body.trim());
    }
  }
  process.exit(failed ? 1 : 0);
})().catch((err) => {
  console.error(String(err && err.message || err));
  process.exit(1);
});
`;
