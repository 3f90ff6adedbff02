// Failure messages and stack traces go into an encoded payload, so the payload codec encrypts them too:
// provider error texts can name accounts and must not sit in Temporal history in plaintext.
// Plain CommonJS: the worker bundles it into workflows and the client loads it with require().
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
