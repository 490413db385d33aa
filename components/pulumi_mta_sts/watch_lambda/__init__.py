"""The scheduled watcher's Lambda function (docs/watch-scheduled.md): one ``mta-sts watch`` round per schedule."""
