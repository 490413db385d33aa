"""The scheduled watcher's Lambda function (docs/watch.md): one ``mta-sts watch`` round per schedule."""
