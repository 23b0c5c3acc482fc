"""Background work on Dramatiq: the broker (tasks.broker), actors (tasks.email), mail
backends (tasks.mailers), and the worker process entry module (tasks.worker)."""
