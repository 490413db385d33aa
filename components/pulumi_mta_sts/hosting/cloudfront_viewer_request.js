// pulumi-mta-sts: only the MTA-STS policy is served; everything else becomes a 404.
function handler(event) {
  var request = event.request;
  if (request.uri !== @POLICY_PATH@) {
    request.uri = @MISSING_PATH@;
  }
  request.querystring = {};
  return request;
}
