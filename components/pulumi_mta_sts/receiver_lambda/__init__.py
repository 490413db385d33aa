"""The TLS-RPT receiver Lambda function (standard library + boto3; see :mod:`.handler`)."""
