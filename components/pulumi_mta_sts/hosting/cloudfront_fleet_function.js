// pulumi-mta-sts: the MTA-STS policy of every host of the fleet, from the KeyValueStore.
import cf from 'cloudfront';
var kvs = cf.kvs();
var POLICY_PATH = @POLICY_PATH@;
var CHUNKED = @CHUNKED@;
var SEP = @SEP@;
var MAX_CHUNKS = @MAX_CHUNKS@;
var NOT_FOUND = @NOT_FOUND@;
var HOST = /^[a-z0-9.-]{1,253}$/;
var PORT = /^[0-9]{1,5}$/;
var COUNT = /^([0-9]{1,3}):([0-9a-f]{@TAG_LENGTH@})$/;

function reply(status, text, body, method, extra) {
  var headers = {
    'content-type': { value: 'text/plain; charset=utf-8' },
    'cache-control': { value: 'no-store' },
    'x-content-type-options': { value: 'nosniff' }
  };
  for (var name in extra) { headers[name] = { value: extra[name] }; }
  var response = { statusCode: status, statusDescription: text, headers: headers };
  if (method !== 'HEAD') { response.body = { encoding: 'text', data: body }; }
  return response;
}

function hostOf(request) {
  var header = request.headers.host;
  if (!header || typeof header.value !== 'string') { return null; }
  var host = header.value.toLowerCase();
  var colon = host.indexOf(':');
  if (colon >= 0) {
    if (!PORT.test(host.slice(colon + 1))) { return null; }
    host = host.slice(0, colon);
  }
  if (host.charAt(host.length - 1) === '.') { host = host.slice(0, -1); }
  return HOST.test(host) ? host : null;
}

async function lookup(key) {
  try { return await kvs.get(key, { format: 'string' }); } catch (e) { return null; }
}

async function policyOf(host) {
  var value = await lookup(host);
  if (value === null || value.indexOf(CHUNKED) !== 0) { return value; }
  var count = COUNT.exec(value.slice(CHUNKED.length));
  if (count === null) { return null; }
  var n = parseInt(count[1], 10);
  if (n < 1 || n > MAX_CHUNKS) { return null; }
  var parts = [];
  for (var i = 1; i <= n; i++) {
    var part = await lookup(host + SEP + count[2] + SEP + i);
    if (part === null) { return null; }
    parts.push(part);
  }
  return parts.join('');
}

async function handler(event) {
  var request = event.request;
  var method = request.method;
  if (request.uri !== POLICY_PATH) { return reply(404, 'Not Found', NOT_FOUND, method, {}); }
  if (method !== 'GET' && method !== 'HEAD') {
    return reply(405, 'Method Not Allowed', 'Method not allowed. Use GET.\n', method, { allow: 'GET, HEAD' });
  }
  var host = hostOf(request);
  var policy = host === null ? null : await policyOf(host);
  if (policy === null) { return reply(404, 'Not Found', NOT_FOUND, method, {}); }
  return reply(200, 'OK', policy, method, {});
}
