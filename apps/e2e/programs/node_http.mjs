// node_http.mjs server | fetch PORT — a Node http server (it answers one request, then closes) and
// Node's fetch.
import http from 'node:http';

if (process.argv[2] === 'server') {
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    res.end(`hello ${req.url} from node`);
    server.close();
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
} else {
  const r = await fetch(`http://127.0.0.1:${process.argv[3]}/ksock`);
  console.log(r.status, await r.text());
}
